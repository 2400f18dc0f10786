/*
 * npm run bench:workflow — the workflow service over HTTP against real PostgreSQL, beside references measured
 * in the same run:
 *  - the production flow (workflows/admission.bpmn, submission to publication, as the demo users do it; see
 *    production.ts for what a step is) with 8 and with 32 concurrent clients, beside the same flow on bare live
 *    engines in memory; CPU per step of the server, of PostgreSQL, of the whole machine and of the engine alone;
 *  - the bench flow (bench/workflows/bench.bpmn, 8 user tasks) completed by 32 clients, beside (a) its engine
 *    ceiling (live engines in memory, getState after each step), (b) the naive path (recover → signal →
 *    getState per step), (c) pgbench TPC-B with 8 clients, (d) the cheapest authenticated request.
 * Prints tables and the targets (PASS/FAIL), and writes bench/results/workflow.json.
 * BENCH_QUICK=1 runs a short version (fewer applications and cases).
 */
import 'reflect-metadata';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { AuditService } from '../src/audit/audit.service.js';
import { makeDataSource } from '../src/database/data-source.js';
import { migrate } from '../src/database/migrate.js';
import {
  createDatabase,
  dropDatabase,
  findPostgresServer,
  scratchName,
  withDatabase,
} from '../src/database/servers.js';
import { seedDemo } from '../src/org/demo-seed.js';
import { LiveEngine, serializeSource } from '../src/workflow/bpmn.js';
import { CLK_TCK, machineCpuMs, machineStealMs, postgresCpuByPid, postgresCpuDelta } from './cpu.js';
import { benchHttp } from './http-client.js';
import {
  ACTORS,
  draftApplications,
  driveProduction,
  engineReference,
  STEPS_PER_APPLICATION,
  type ProductionRun,
} from './production.js';

const QUICK = ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
/** Server processes behind the clients (stateless; each client keeps to one, as a sticky load balancer would). */
const SERVERS = Number(process.env.BENCH_SERVERS ?? 1);
const STEPS_PER_CASE = 8;
const CASES = Number(process.env.BENCH_CASES ?? (QUICK ? 64 : 192));
/** Applications driven from submission to publication in each production run (8 clients, then 32). */
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? (QUICK ? 32 : 128));
/** Applications driven before the measured runs, so that the server's code is compiled (not measured). */
const WARM_UP = QUICK ? 8 : 16;
const PRODUCTION_CLIENTS = [8, 32] as const;
const PASSWORD = 'Bench@2026';
const XML = readFileSync('bench/workflows/bench.bpmn', 'utf8');
/** The server runs with the Node flags that `npm run start:prod` uses (e.g. the young generation's size). */
const SERVER_FLAGS = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['start:prod']
  .split(' ')
  .filter((word) => word.startsWith('--'));
/** Targets of issue 10: p95 of a user action at 8 clients; machine CPU per persisted step ÷ the engine's. */
const TARGET_P95_MS = 100;
const TARGET_CPU_RATIO = 2.5;

const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** (a) live engines in memory: signal → getState, one process, no database. */
async function engineCeiling(source: string): Promise<number> {
  const engines: LiveEngine[] = [];
  for (let i = 0; i < 100; i++) {
    const live = new LiveEngine(source, XML, []);
    await live.start({});
    engines.push(live);
  }
  const started = process.hrtime.bigint();
  let steps = 0;
  for (let s = 0; s < STEPS_PER_CASE; s++) {
    for (const live of engines) {
      const [api] = live.waits.values();
      live.variables().decision = { approve: true, value: 'approve' };
      api.signal({ decision: 'approve' });
      live.waits.delete(api.executionId);
      await live.state();
      steps++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return steps / seconds;
}

/** (b) the naive path: a fresh engine recovered from state for every step. */
async function naive(source: string): Promise<number> {
  const states: object[] = [];
  for (let i = 0; i < 30; i++) {
    const live = new LiveEngine(source, XML, []);
    await live.start({});
    states.push(await live.state());
    live.stop();
  }
  const started = process.hrtime.bigint();
  let steps = 0;
  for (let s = 0; s < STEPS_PER_CASE; s++) {
    for (let i = 0; i < states.length; i++) {
      const live = new LiveEngine(source, null, []);
      await live.recover(states[i]);
      const [api] = live.waits.values();
      live.variables().decision = { approve: true, value: 'approve' };
      api.signal({ decision: 'approve' });
      states[i] = await live.state();
      live.stop();
      steps++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return steps / seconds;
}

/** (c) pgbench TPC-B, 8 clients, on the same server. */
function pgbench(adminUrl: string): number | null {
  const u = new URL(adminUrl);
  const env = {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
  };
  const db = scratchName('cwa_pgbench');
  try {
    execFileSync('psql', ['-q', '-d', 'postgres', '-c', `CREATE DATABASE ${db}`], { env, stdio: 'pipe' });
    execFileSync('pgbench', ['-i', '-q', '-s', '8', db], { env, stdio: 'pipe' });
    const out = execFileSync('pgbench', ['-c', '8', '-j', '2', '-T', '10', '-n', db], {
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    const m = /tps = ([\d.]+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch (e) {
    console.error(`pgbench could not run (${(e as Error).message.split('\n')[0]}); its column stays empty`);
    return null;
  } finally {
    try {
      execFileSync('psql', ['-q', '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db}`], {
        env,
        stdio: 'pipe',
      });
    } catch {
      // nothing to drop
    }
  }
}

interface ServerStats {
  cpuMs: number;
  statements: number;
  recoveries: number;
}

/** CPU readings at the start of a measured part; `end` answers what each used since, in ms (and statements sent). */
function cpuWindow(serverStats: () => Promise<ServerStats>, ownBackends: () => Promise<Set<number>>) {
  return (async () => {
    const server = await serverStats();
    const postgres = postgresCpuByPid();
    const machine = machineCpuMs();
    const steal = machineStealMs();
    const client = process.cpuUsage();
    return {
      async end() {
        const serverNow = await serverStats();
        const serverMs = serverNow.cpuMs - server.cpuMs;
        const postgresAfter = postgresCpuByPid();
        const machineMs = machineCpuMs() - machine;
        const clientUsage = process.cpuUsage(client);
        return {
          serverMs,
          postgresMs: postgresCpuDelta(postgres, postgresAfter),
          postgresOwnMs: postgresCpuDelta(postgres, postgresAfter, await ownBackends()),
          machineMs,
          stealMs: machineStealMs() - steal,
          clientMs: (clientUsage.user + clientUsage.system) / 1000,
          statements: serverNow.statements - server.statements,
          recoveries: serverNow.recoveries - server.recoveries,
        };
      },
    };
  })();
}

type CpuUsed = Awaited<ReturnType<Awaited<ReturnType<typeof cpuWindow>>['end']>>;

function latencyFigures(run: ProductionRun) {
  const sorted = [...run.actions].sort((x, y) => x - y);
  const inbox = [...run.inbox].sort((x, y) => x - y);
  return {
    stepsPerSec: round(run.steps / run.seconds),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    inboxP95: round(percentile(inbox, 95)),
  };
}

async function main(): Promise<void> {
  const server = await findPostgresServer('.data/bench-pg', 54359);
  const dbName = scratchName('cwa_bench');
  const url = await createDatabase(server.adminUrl, dbName);
  const ds = makeDataSource(url, 4);
  await ds.initialize();
  await migrate(ds);
  await seedDemo(ds, PASSWORD, new AuditService(ds));

  const ports: number[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < SERVERS; i++) {
    const port = await freePort();
    ports.push(port);
    const child = fork('dist/bench/server.js', [], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        WORKFLOWS_DIR: 'workflows,bench/workflows',
        DB_POOL_SIZE: process.env.BENCH_DB_POOL_SIZE ?? '16',
        DEMO_PASSWORD: PASSWORD,
        // The audit days are sealed as in production (a key of this run only).
        AUDIT_SEAL_KEY: randomBytes(32).toString('hex'),
        ENGINE_CACHE_SIZE: process.env.ENGINE_CACHE_SIZE ?? '',
        BENCH_PROFILE: process.env.BENCH_PROFILE ?? '',
        BENCH_STATEMENTS: process.env.BENCH_STATEMENTS ? `${process.env.BENCH_STATEMENTS}.${i}` : '',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...SERVER_FLAGS, ...(process.env.BENCH_EXEC_ARGV?.split(' ').filter(Boolean) ?? [])],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    });
    children.push(child);
  }
  const http = benchHttp(ports, Math.max(CLIENTS, ...PRODUCTION_CLIENTS));
  const { post, request } = http;
  const login = async (username: string) => {
    const res = await post('/auth/login', null, { username, password: PASSWORD });
    if (res.status !== 200) throw new Error(`login of ${username}: ${res.status}`);
    return res.body.accessToken as string;
  };
  const admin = await login('sysadmin');
  const office = await login('office');
  const tokens: Record<string, string> = {};
  for (const user of ACTORS) tokens[user] = await login(user);
  const owner = (await ds.query(`SELECT id FROM org_unit WHERE code = '339901-WJ'`))[0].id;
  const communityIds: string[] = (
    await ds.query(`SELECT id FROM org_unit WHERE code IN ('339901001001', '339901001002') ORDER BY code`)
  ).map((r: { id: string }) => r.id);
  const memberUnits: string[] = (
    await ds.query(
      `SELECT m.unit_id FROM leading_group_member m JOIN org_unit g ON g.id = m.group_id WHERE g.code = '339901-LG' ORDER BY m.position`,
    )
  ).map((r: { unit_id: string }) => r.unit_id);

  /** CPU time (ms) and SQL statements sent so far by all server processes. */
  const serverStats = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<ServerStats>((resolve) => {
            child.once(
              'message',
              (m: { cpu: { user: number; system: number }; statements: number; recoveries: number }) =>
                resolve({
                  cpuMs: (m.cpu.user + m.cpu.system) / 1000,
                  statements: m.statements,
                  recoveries: m.recoveries,
                }),
            );
            child.send('cpu');
          }),
      ),
    ).then((all) => ({
      cpuMs: all.reduce((a, b) => a + b.cpuMs, 0),
      statements: all.reduce((a, b) => a + b.statements, 0),
      recoveries: all.reduce((a, b) => a + b.recoveries, 0),
    }));
  const serverCpu = () => serverStats().then((s) => s.cpuMs);
  // The backends of this run's database (the servers' pools): PostgreSQL's share that is surely ours.
  const ownBackends = async () =>
    new Set<number>(
      (await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).map(
        (r: { pid: number }) => r.pid,
      ),
    );

  // ---- The production flow: drafts first (not measured), a warm-up, then 8 and 32 clients.
  const drafts = await draftApplications(
    http,
    tokens['dept-staff'],
    communityIds,
    0,
    WARM_UP + APPLICATIONS * PRODUCTION_CLIENTS.length,
  );
  /** BENCH_PROFILE: the servers write a CPU profile of the part measured since the last start. */
  const stopProfiles = async (part: string) => {
    if (!process.env.BENCH_PROFILE) return;
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once('message', resolve);
            child.send(`profile-stop:${part}`);
          }),
      ),
    );
  };
  const warmUp = await driveProduction(http, tokens, drafts.slice(0, WARM_UP), 8, SERVERS);
  if (warmUp.failures) throw new Error(`the warm-up failed: ${warmUp.errors.join('; ')}`);
  for (const child of children) child.send('profile-start');
  const production: { run: ProductionRun; cpu: CpuUsed }[] = [];
  for (const [k, clients] of PRODUCTION_CLIENTS.entries()) {
    const from = WARM_UP + k * APPLICATIONS;
    const window = await cpuWindow(serverStats, ownBackends);
    const run = await driveProduction(
      http,
      tokens,
      drafts.slice(from, from + APPLICATIONS),
      clients,
      SERVERS,
    );
    production.push({ run, cpu: await window.end() });
  }
  await stopProfiles('production');
  const published = Number((await ds.query('SELECT count(*)::int AS n FROM admitted_item'))[0].n);
  const expectedPublished = WARM_UP + production.reduce((n, p) => n + p.run.applications - p.run.failures, 0);
  if (published !== expectedPublished)
    console.log(
      `published ${published} items, expected ${expectedPublished}: the flow did not reach publication`,
    );

  // ---- The bench flow as before: cases started through the same service (not measured), then 32 clients.
  // Client c works cases c, c + 32, … through server c mod SERVERS (a sticky load balancer), where they were started.
  const firstTasks: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const res = await post(
      '/workflow-instances',
      admin,
      { processId: 'bench', ownerUnitId: owner, businessKey: `bench-${i}` },
      (i % CLIENTS) % SERVERS,
    );
    if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
    firstTasks.push((res.body.tasks as { id: string }[])[0].id);
  }
  const stored = (
    await ds.query(
      `SELECT avg(pg_column_size(state))::int AS stored, avg(octet_length(state::text))::int AS json FROM workflow_instance WHERE status = 'active' AND process_id = 'bench'`,
    )
  )[0];

  for (const child of children) child.send('profile-start');
  const benchWindow = await cpuWindow(serverStats, ownBackends);
  const latencies: number[] = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const mine = firstTasks.filter((_, i) => i % CLIENTS === client);
      for (let task = mine.shift(); task; task = mine.shift()) {
        let current: string | undefined = task;
        while (current) {
          const t0 = process.hrtime.bigint();
          const res = await post(
            `/tasks/${current}/complete`,
            office,
            { decision: 'approve' },
            client % SERVERS,
          );
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (res.status !== 200) {
            failures++;
            break;
          }
          current = (res.body.openTasks as { id: string }[])[0]?.id;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const benchCpu = await benchWindow.end();
  const stepsPerSec = latencies.length / seconds;
  await stopProfiles('bench');
  latencies.sort((x, y) => x - y);

  // (d) The floor of any authenticated request on this stack: GET /auth/me (token check, one session
  // query, a small JSON answer) by the same clients, as many requests as steps above.
  const floorBefore = await serverCpu();
  const floorStarted = process.hrtime.bigint();
  let floorRequests = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (floorRequests < latencies.length) {
        floorRequests++;
        const res = await request('GET', '/auth/me', office, undefined, client % SERVERS);
        if (res.status !== 200) throw new Error(`GET /auth/me answered ${res.status}`);
      }
    }),
  );
  const floorPerSec = floorRequests / (Number(process.hrtime.bigint() - floorStarted) / 1e9);
  const floorCpuMs = ((await serverCpu()) - floorBefore) / floorRequests;
  http.close();
  for (const child of children) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  // ---- References in this process, the servers stopped.
  await engineReference(WARM_UP, 8, memberUnits); // compiles the engine's code, as the servers' warm-up does
  const engine = await engineReference(APPLICATIONS, 32, memberUnits);
  const source = await serializeSource(XML);
  const engineCeilingValue = await engineCeiling(source);
  const naiveValue = await naive(source);
  const pgbenchTps = QUICK ? null : pgbench(withDatabase(server.adminUrl, 'postgres'));

  // ---- Figures.
  const productionSteps = production.reduce((n, p) => n + p.run.steps, 0);
  const productionCpu = (key: keyof CpuUsed) =>
    production.reduce((ms, p) => ms + p.cpu[key], 0) / productionSteps;
  const engineCpuMsPerStep = engine.cpuMs / engine.steps;
  const byClients = Object.fromEntries(
    production.map(({ run, cpu }) => [
      `clients${run.clients}`,
      {
        ...latencyFigures(run),
        steps: run.steps,
        failures: run.failures,
        machineCpuMsPerStep: round(cpu.machineMs / run.steps, 2),
        serverCpuMsPerStep: round(cpu.serverMs / run.steps, 2),
        postgresCpuMsPerStep: round(cpu.postgresMs / run.steps, 2),
        statementsPerStep: round(cpu.statements / run.steps, 1),
        recoveriesPerStep: round(cpu.recoveries / run.steps, 3),
      },
    ]),
  ) as unknown as Record<'clients8' | 'clients32', ReturnType<typeof latencyFigures>>;
  const productionResult = {
    ...byClients,
    stepsPerApplication: STEPS_PER_APPLICATION,
    machineCpuMsPerStep: round(productionCpu('machineMs'), 2),
    /** Of the machine's: stolen by the host (see machineStealMs). */
    machineStealMsPerStep: round(productionCpu('stealMs'), 2),
    serverCpuMsPerStep: round(productionCpu('serverMs'), 2),
    postgresCpuMsPerStep: round(productionCpu('postgresMs'), 2),
    /** Of PostgreSQL's: the backends of this run's database only (the rest is other databases' and shared work). */
    postgresOwnCpuMsPerStep: round(productionCpu('postgresOwnMs'), 2),
    clientCpuMsPerStep: round(productionCpu('clientMs'), 2),
    engineCpuMsPerStep: round(engineCpuMsPerStep, 3),
    engineStepsPerSec: round(engine.steps / engine.seconds),
    statementsPerStep: round(productionCpu('statements'), 1),
    recoveriesPerStep: round(productionCpu('recoveries'), 3),
  };
  const result = {
    stepsPerSec: round(stepsPerSec),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    engineCeiling: round(engineCeilingValue),
    naive: round(naiveValue),
    pgbenchTps,
    stateBytes: stored.stored,
    stateJsonBytes: stored.json,
    serverCpuMsPerStep: round(benchCpu.serverMs / latencies.length, 2),
    machineCpuMsPerStep: round(benchCpu.machineMs / latencies.length, 2),
    clientCpuMsPerStep: round(benchCpu.clientMs / latencies.length, 2),
    httpFloor: round(floorPerSec),
    httpFloorCpuMs: round(floorCpuMs, 2),
    engineCpuMsPerStep: round(1000 / engineCeilingValue, 2),
    steps: latencies.length,
    failures,
    clients: CLIENTS,
    servers: SERVERS,
    postgresCpuMsPerStep: round(benchCpu.postgresMs / latencies.length, 2),
    statementsPerStep: round(benchCpu.statements / latencies.length, 1),
    quick: QUICK,
    production: productionResult,
  };

  const ratio = (x: number, y: number) => (y ? (x / y).toFixed(2) : 'n/a');
  console.log(
    `\nproduction flow: workflows/admission.bpmn, submission to publication over HTTP, ${APPLICATIONS} applications per run` +
      `\n  a step = one persisted workflow step = one user action: the submission, then 7 approvals (3 of them countersigns)` +
      `\n  = ${STEPS_PER_APPLICATION} steps per application; the engine reference counts the same ${STEPS_PER_APPLICATION} (start + 7 signals, getState after each)` +
      `\n  latency = the action's request (submit or complete); each approval first reads the approver's inbox (inbox p95 apart)`,
  );
  const cpuRow = (label: string, key: keyof CpuUsed, note: string) => [
    label,
    {
      ...Object.fromEntries(
        production.map(({ run, cpu }) => [`${run.clients} clients`, round(cpu[key] / run.steps, 2)]),
      ),
      'both runs': round(productionCpu(key), 2),
      'engine ×': ratio(productionCpu(key), engineCpuMsPerStep),
      note,
    },
  ];
  console.table(
    Object.fromEntries([
      ...(['stepsPerSec', 'p50', 'p95', 'p99', 'inboxP95'] as const).map((key) => [
        key === 'stepsPerSec' ? 'steps/s' : `${key === 'inboxP95' ? 'inbox read p95' : `action ${key}`} ms`,
        Object.fromEntries(production.map(({ run }) => [`${run.clients} clients`, latencyFigures(run)[key]])),
      ]),
      cpuRow('machine CPU ms/step', 'machineMs', 'all cores, all processes (other users of the machine too)'),
      cpuRow('… of which steal', 'stealMs', "the host ran other machines while this one's cores waited"),
      cpuRow('server CPU ms/step', 'serverMs', 'the server process(es)'),
      cpuRow('PostgreSQL CPU ms/step', 'postgresMs', 'every postgres process on the machine'),
      cpuRow('… of which this database', 'postgresOwnMs', "the servers' backends"),
      cpuRow('bench clients CPU ms/step', 'clientMs', 'this process (node:http)'),
      [
        'SQL statements/step',
        {
          ...Object.fromEntries(
            production.map(({ run, cpu }) => [
              `${run.clients} clients`,
              round(cpu.statements / run.steps, 1),
            ]),
          ),
          'both runs': round(productionCpu('statements'), 1),
          note: 'sent by the server (BEGIN/COMMIT, session checks and inbox reads included)',
        },
      ],
      [
        'engines recovered/step',
        {
          ...Object.fromEntries(
            production.map(({ run, cpu }) => [
              `${run.clients} clients`,
              round(cpu.recoveries / run.steps, 3),
            ]),
          ),
          'both runs': round(productionCpu('recoveries'), 3),
          note: "steps whose case's engine was not in the server's cache (recovered from stored state)",
        },
      ],
      [
        'engine alone CPU ms/step',
        {
          'both runs': round(engineCpuMsPerStep, 3),
          note: `bare live engines in memory, ${engine.steps} steps, ${productionResult.engineStepsPerSec} steps/s on one core`,
        },
      ],
    ]),
  );
  const p95At8 = byClients.clients8.p95;
  const cpuRatio = productionCpu('machineMs') / engineCpuMsPerStep;
  console.log(
    `${p95At8 <= TARGET_P95_MS ? 'PASS' : 'FAIL'} p95 of a user action at 8 clients ≤ ${TARGET_P95_MS} ms: ${p95At8} ms`,
  );
  console.log(
    `${cpuRatio <= TARGET_CPU_RATIO ? 'PASS' : 'FAIL'} machine CPU per persisted step ≤ ${TARGET_CPU_RATIO} × the engine's own: ` +
      `${result.production.machineCpuMsPerStep} ms = ${cpuRatio.toFixed(2)} × ${result.production.engineCpuMsPerStep} ms`,
  );
  for (const { run } of production)
    console.log(
      `${run.failures ? 'FAIL' : 'PASS'} every application of the ${run.clients}-client run published: ` +
        `${run.applications - run.failures} of ${run.applications}${run.errors.length ? ` (first errors: ${run.errors.join('; ')})` : ''}`,
    );

  console.log('\nbench flow: bench/workflows/bench.bpmn (same run)');
  console.table({
    [`HTTP steps/s (${CLIENTS} clients, ${SERVERS} server process${SERVERS > 1 ? 'es' : ''})`]: {
      value: result.stepsPerSec,
      ratio: '',
    },
    '(a) engine ceiling steps/s': {
      value: result.engineCeiling,
      ratio: ratio(result.stepsPerSec, result.engineCeiling),
    },
    '(b) naive recover steps/s': { value: result.naive, ratio: ratio(result.stepsPerSec, result.naive) },
    '(c) pgbench TPC-B tps (8 clients)': {
      value: result.pgbenchTps ?? 'n/a',
      ratio: result.pgbenchTps ? ratio(result.stepsPerSec, result.pgbenchTps) : 'n/a',
    },
    'server CPU ms per step (all server processes)': {
      value: result.serverCpuMsPerStep,
      ratio: `${ratio(result.serverCpuMsPerStep, result.engineCpuMsPerStep)}× the engine's own`,
    },
    'machine CPU ms per step (all cores, all processes)': {
      value: result.machineCpuMsPerStep,
      ratio: `${ratio(result.machineCpuMsPerStep, result.engineCpuMsPerStep)}× the engine's own; bench clients ${result.clientCpuMsPerStep}`,
    },
    'PostgreSQL CPU ms per step (all postgres processes)': { value: result.postgresCpuMsPerStep, ratio: '' },
    'SQL statements per step (sent by the server)': {
      value: result.statementsPerStep,
      ratio: `engines recovered per step ${round(benchCpu.recoveries / latencies.length, 3)}`,
    },
    '(d) GET /auth/me requests/s (same clients)': {
      value: result.httpFloor,
      ratio: `${result.httpFloorCpuMs} ms server CPU each`,
    },
    'latency p50 ms': { value: result.p50, ratio: '' },
    'latency p95 ms': { value: result.p95, ratio: '' },
    'latency p99 ms': { value: result.p99, ratio: '' },
    'stored state bytes per waiting case': {
      value: result.stateBytes,
      ratio: `${result.stateJsonBytes} as JSON text`,
    },
  });
  if (failures) console.log(`${failures} requests failed`);
  console.log(`(CPU from /proc, ${CLK_TCK} ticks per second${QUICK ? '; BENCH_QUICK: a short run' : ''})`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/workflow.json', JSON.stringify(result, null, 2) + '\n');
  await ds.destroy();
  await dropDatabase(server.adminUrl, dbName);
  await server.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
