import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DefinitionError, parseDefinition, serializeSource, type ParsedDefinition } from './bpmn.js';
import { WorkflowDefinition } from './workflow-definition.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

const DEPLOY_LOCK = 7270031;

export interface DeployedDefinition {
  id: string;
  processId: string;
  version: number;
  name: string | null;
  xml: string;
  serializedSource: string;
  topics: string[];
}

/** Deploys `workflows/*.bpmn` as versions (a content unlike the newest version's) and serves definitions to the runtime. */
@Injectable()
export class DefinitionsService {
  private readonly logger = new Logger('Workflows');
  private readonly byId = new Map<string, DeployedDefinition>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Reads every .bpmn file of the workflow folders, checks them all (reporting every problem at once), and
   * stores each content that differs from its process's newest version as a new version (a file reverted to
   * older content is deployed again, as the newest). Running instances keep their version.
   */
  async deployAll(): Promise<DeployedDefinition[]> {
    const files: { file: string; xml: string }[] = [];
    for (const dir of this.config.env.WORKFLOWS_DIR.split(',')
      .map((d) => d.trim())
      .filter(Boolean)) {
      let names: string[];
      try {
        names = (await fs.readdir(dir)).filter((f) => f.endsWith('.bpmn')).sort();
      } catch {
        this.logger.warn(`the workflow folder ${dir} (WORKFLOWS_DIR) does not exist: no definitions from it`);
        continue;
      }
      for (const name of names)
        files.push({ file: path.join(dir, name), xml: await fs.readFile(path.join(dir, name), 'utf8') });
    }
    const problems: string[] = [];
    const parsed: { file: string; xml: string; def: ParsedDefinition }[] = [];
    for (const f of files) {
      try {
        const def = await parseDefinition(f.file, f.xml);
        problems.push(...this.checkAgainstRegistry(f.file, def));
        parsed.push({ ...f, def });
      } catch (e) {
        if (e instanceof DefinitionError) problems.push(e.message);
        else throw e;
      }
    }
    const ids = parsed.map((p) => p.def.processId);
    for (const dup of ids.filter((id, i) => ids.indexOf(id) !== i))
      problems.push(`process id "${dup}" is defined by more than one file`);
    for (const required of this.registry.requiredProcesses()) {
      if (!ids.includes(required))
        problems.push(`process "${required}" is needed by the service but no workflow file defines it`);
    }
    if (problems.length)
      throw new DefinitionError(`Workflow deployment refused:\n  ${problems.join('\n  ')}`);

    const deployed: DeployedDefinition[] = [];
    await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [DEPLOY_LOCK]);
      for (const p of parsed) {
        const hash = createHash('sha256').update(p.xml).digest('hex');
        // As Camunda filters duplicates: only content equal to the newest version is not deployed again.
        // Content of an older version (a file reverted) becomes a new version, so new cases start on it.
        let row = await m.findOne(WorkflowDefinition, {
          where: { processId: p.def.processId },
          order: { version: 'DESC' },
        });
        if (row?.contentHash !== hash) {
          row = await m.save(
            m.create(WorkflowDefinition, {
              processId: p.def.processId,
              version: (row?.version ?? 0) + 1,
              name: p.def.name,
              fileName: path.basename(p.file),
              contentHash: hash,
              xml: p.xml,
              serializedSource: await serializeSource(p.xml),
            }),
          );
          this.logger.log(`deployed ${p.def.processId} version ${row.version} from ${p.file}`);
        }
        deployed.push(this.remember(row, p.def.topics));
      }
    });
    return deployed;
  }

  private checkAgainstRegistry(file: string, def: ParsedDefinition): string[] {
    const problems: string[] = [];
    for (const topic of def.topics) {
      if (!this.registry.service(topic)) problems.push(`${file}: service topic "${topic}" has no handler`);
    }
    for (const t of def.userTasks) {
      if (t.formKey && !this.registry.form(t.formKey))
        problems.push(`${file}: user task "${t.id}" uses unknown form key "${t.formKey}"`);
      for (const g of (t.candidateGroups ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        if (!this.registry.group(g))
          problems.push(`${file}: user task "${t.id}" uses unknown candidate group "${g}"`);
      }
      if (!t.candidateGroups) problems.push(`${file}: user task "${t.id}" has no camunda:candidateGroups`);
    }
    return problems;
  }

  private remember(row: WorkflowDefinition, topics?: string[]): DeployedDefinition {
    const def: DeployedDefinition = {
      id: row.id,
      processId: row.processId,
      version: row.version,
      name: row.name,
      xml: row.xml,
      serializedSource: row.serializedSource,
      topics: topics ?? this.registry.topics(),
    };
    this.byId.set(row.id, def);
    return def;
  }

  /** A deployed definition by id; `m` is the caller's manager when it reads inside its transaction. */
  async get(id: string, m: EntityManager = this.dataSource.manager): Promise<DeployedDefinition> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = await m.findOneBy(WorkflowDefinition, { id });
    if (!row) throw new AppError('PROCESS_NOT_FOUND');
    return this.remember(row);
  }

  /**
   * The newest version of a process (the content deployed last): new instances start on it. Inside a
   * transaction pass its manager: a second connection asked of the pool while one is held can wait forever.
   */
  async latest(processId: string, m: EntityManager = this.dataSource.manager): Promise<DeployedDefinition> {
    const rows: { id: string }[] = await m.query(
      'SELECT id FROM workflow_definition WHERE process_id = $1 ORDER BY version DESC LIMIT 1',
      [processId],
    );
    if (!rows[0]) throw new AppError('PROCESS_NOT_FOUND', { processId });
    return this.get(rows[0].id, m);
  }

  /** Deployed processes by id, each with its versions newest first; paged by process. */
  async list(q: PageQuery = {}): Promise<
    Page<{
      processId: string;
      name: string | null;
      versions: { id: string; version: number; fileName: string; deployedAt: string }[];
    }>
  > {
    const page = pageRequest(q);
    const rows = await this.dataSource.getRepository(WorkflowDefinition).find({
      select: { id: true, processId: true, name: true, version: true, fileName: true, deployedAt: true },
      order: { processId: 'ASC', version: 'DESC' },
    });
    const out = new Map<
      string,
      {
        processId: string;
        name: string | null;
        versions: { id: string; version: number; fileName: string; deployedAt: string }[];
      }
    >();
    for (const r of rows) {
      const entry = out.get(r.processId) ?? { processId: r.processId, name: r.name, versions: [] };
      entry.versions.push({
        id: r.id,
        version: r.version,
        fileName: r.fileName,
        deployedAt: r.deployedAt.toISOString(),
      });
      out.set(r.processId, entry);
    }
    const all = [...out.values()];
    return toPage(all.slice(page.offset, page.offset + page.pageSize), all.length, page);
  }
}
