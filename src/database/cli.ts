/* Migration tools: `generate <Name>` writes a migration from the entity/migration difference,
   `check` fails when there is one (drift), `run` applies pending migrations to DATABASE_URL. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapDeployment } from '../org/bootstrap.js';
import { makeDataSource } from './data-source.js';
import { migrate, schemaDrift } from './migrate.js';
import { createDatabase, dropDatabase, findPostgresServer, scratchName } from './servers.js';

async function driftOnScratchDatabase(): Promise<{ up: string[]; down: string[] }> {
  const server = await findPostgresServer('.data/tools-pg', 54339);
  const name = scratchName('cwa_drift');
  try {
    const url = await createDatabase(server.adminUrl, name);
    const ds = makeDataSource(url, 3);
    await ds.initialize();
    try {
      await migrate(ds);
      const sql = await ds.driver.createSchemaBuilder().log();
      return {
        up: sql.upQueries.map((q) => q.query),
        down: sql.downQueries.map((q) => q.query).reverse(),
      };
    } finally {
      await ds.destroy();
    }
  } finally {
    await dropDatabase(server.adminUrl, name).catch(() => undefined);
    await server.stop();
  }
}

/** Rewrites migrations/index.ts to list every migration file, in timestamp order. */
async function writeMigrationIndex(): Promise<void> {
  const files = (await fs.readdir('migrations')).filter((f) => /^\d+-\w+\.ts$/.test(f)).sort();
  const entries = files.map((f) => {
    const [ts, name] = f.replace(/\.ts$/, '').split('-');
    return { cls: `${name}${ts}`, file: f.replace(/\.ts$/, '.js') };
  });
  const body =
    entries.map((e) => `import { ${e.cls} } from './${e.file}';`).join('\n') +
    '\n\n// Every migration, oldest first. Written by `npm run migration:generate`; add hand-written ones in order.\n' +
    '// prettier-ignore\nexport const MIGRATIONS: Function[] = [\n' +
    entries.map((e) => `  ${e.cls},`).join('\n') +
    '\n];\n';
  await fs.writeFile(path.resolve('migrations', 'index.ts'), body);
}

const esc = (q: string) => '`' + q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';

async function generate(name: string | undefined): Promise<number> {
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    console.error('Usage: npm run migration:generate -- NameInPascalCase');
    return 2;
  }
  const { up, down } = await driftOnScratchDatabase();
  if (up.length === 0) {
    console.log('No changes: the migrations already match the entities.');
    return 0;
  }
  const ts = Date.now();
  const cls = `${name}${ts}`;
  const file = path.resolve('migrations', `${ts}-${name}.ts`);
  const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map((q) => `    await queryRunner.query(${esc(q)});`).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down.map((q) => `    await queryRunner.query(${esc(q)});`).join('\n')}
  }
}
`;
  await fs.writeFile(file, body);
  await writeMigrationIndex();
  console.log(
    `Wrote ${path.relative(process.cwd(), file)} (${up.length} statements) and listed it in migrations/index.ts.`,
  );
  return 0;
}

async function check(): Promise<number> {
  const { up } = await driftOnScratchDatabase();
  if (up.length === 0) {
    console.log('Migration drift check: the migrations match the entities.');
    return 0;
  }
  console.error(
    'Migration drift: the entities differ from the migrations. Run `npm run migration:generate -- Name`.',
  );
  for (const q of up) console.error('  ' + q);
  return 1;
}

async function run(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'Set DATABASE_URL to the database to migrate (the service migrates its embedded database itself).',
    );
    return 2;
  }
  const ds = makeDataSource(url, 3);
  await ds.initialize();
  try {
    const applied = await migrate(ds);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply.');
    console.log(
      (await schemaDrift(ds)).length ? 'Warning: schema still differs from entities.' : 'Schema up to date.',
    );
    return 0;
  } finally {
    await ds.destroy();
  }
}

/** A new deployment's city and three administrators; the password comes from ADMIN_PASSWORD. */
async function bootstrap(cityCode: string | undefined, cityName: string | undefined): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url || !cityCode || !cityName || !process.env.ADMIN_PASSWORD) {
    console.error(
      'Usage: DATABASE_URL=… ADMIN_PASSWORD=… npm run admin:bootstrap -- <city code> <city name>',
    );
    return 2;
  }
  const ds = makeDataSource(url, 3);
  await ds.initialize();
  try {
    await migrate(ds);
    await bootstrapDeployment(ds, { cityCode, cityName, password: process.env.ADMIN_PASSWORD });
    console.log(
      'Created the city and the accounts sysadmin, secadmin and auditor (password: ADMIN_PASSWORD).',
    );
    return 0;
  } finally {
    await ds.destroy();
  }
}

const [command, arg, arg2] = process.argv.slice(2);
const commands: Record<string, () => Promise<number>> = {
  generate: () => generate(arg),
  check,
  run,
  bootstrap: () => bootstrap(arg, arg2),
};
const chosen = commands[command ?? ''];
if (!chosen) {
  console.error('Usage: cli.js generate <Name> | check | run | bootstrap <city code> <city name>');
  process.exit(2);
}
chosen().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
