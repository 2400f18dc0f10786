/*
 * npm run bench:workflow — user tasks completed over HTTP against real PostgreSQL by 32 concurrent clients,
 * beside references measured in the same run: (a) the engine's own ceiling (live engines in memory, getState
 * after each step, one process, no database), (b) the naive path (recover → signal → getState per step),
 * (c) pgbench TPC-B with 8 clients. Prints a table and writes bench/results/workflow.json.
 */
import 'reflect-metadata';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
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

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
/** Server processes behind the clients (stateless; each client keeps to one, as a sticky load balancer would). */
const SERVERS = Number(process.env.BENCH_SERVERS ?? 1);
const STEPS_PER_CASE = 8;
const CASES = Number(process.env.BENCH_CASES ?? 192);
const PASSWORD = 'Bench@2026';
const XML = readFileSync('bench/workflows/bench.bpmn', 'utf8');
/** The server runs with the Node flags that `npm run start:prod` uses (e.g. the young generation's size). */
const SERVER_FLAGS = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['start:prod']
  .split(' ')
  .filter((word) => word.startsWith('--'));

/** CPU time used by the whole machine so far (all cores, from /proc/stat), in ms; 0 where unreadable. */
function machineCpuMs(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

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
        DB_POOL_SIZE: '16',
        DEMO_PASSWORD: PASSWORD,
        ENGINE_CACHE_SIZE: process.env.ENGINE_CACHE_SIZE ?? '',
        BENCH_PROFILE: process.env.BENCH_PROFILE ?? '',
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
  // The clients share this machine's two cores with the server, so they use node:http with kept-alive
  // connections (about half the CPU per request of fetch), one connection per client.
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const request = (method: string, path: string, token: string | null, body: unknown, server = 0) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: ports[server],
          path,
          method,
          agent,
          headers: {
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
            } catch {
              reject(new Error(`${method} ${path}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const post = (path: string, token: string | null, body: unknown, server = 0) =>
    request('POST', path, token, body, server);
  const admin = (await post('/auth/login', null, { username: 'sysadmin', password: PASSWORD })).body
    .accessToken as string;
  const office = (await post('/auth/login', null, { username: 'office', password: PASSWORD })).body
    .accessToken as string;
  const owner = (await ds.query(`SELECT id FROM org_unit WHERE code = '339901-WJ'`))[0].id;

  // Cases to work on, started through the same service (not measured). Client c works cases c, c + 32, …
  // through server c mod SERVERS (a sticky load balancer), where they were started.
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
      `SELECT avg(pg_column_size(state))::int AS stored, avg(octet_length(state::text))::int AS json FROM workflow_instance WHERE status = 'active'`,
    )
  )[0];

  const cpu = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<number>((resolve) => {
            child.once('message', (m: { cpu: { user: number; system: number } }) =>
              resolve((m.cpu.user + m.cpu.system) / 1000),
            );
            child.send('cpu');
          }),
      ),
    ).then((ms) => ms.reduce((a, b) => a + b, 0));
  const cpuBefore = await cpu();
  const machineBefore = machineCpuMs();
  const clientBefore = process.cpuUsage();
  for (const child of children) child.send('profile-start');

  // 32 clients, each working its share of cases to the end.
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
  const stepsPerSec = latencies.length / seconds;
  const serverCpuMsPerStep = ((await cpu()) - cpuBefore) / latencies.length;
  const machineCpuMsPerStep = (machineCpuMs() - machineBefore) / latencies.length;
  const clientUsage = process.cpuUsage(clientBefore);
  const clientCpuMsPerStep = (clientUsage.user + clientUsage.system) / 1000 / latencies.length;
  if (process.env.BENCH_PROFILE) {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once('message', resolve);
            child.send('profile-stop');
          }),
      ),
    );
  }
  latencies.sort((x, y) => x - y);

  // (d) The floor of any authenticated request on this stack: GET /auth/me (token check, one session
  // query, a small JSON answer) by the same clients, as many requests as steps above.
  const floorBefore = await cpu();
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
  const floorCpuMs = ((await cpu()) - floorBefore) / floorRequests;
  agent.destroy();
  for (const child of children) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  const source = await serializeSource(XML);
  const engineCeilingValue = await engineCeiling(source);
  const naiveValue = await naive(source);
  const pgbenchTps = pgbench(withDatabase(server.adminUrl, 'postgres'));

  const result = {
    stepsPerSec: Math.round(stepsPerSec * 10) / 10,
    p50: Math.round(percentile(latencies, 50) * 10) / 10,
    p95: Math.round(percentile(latencies, 95) * 10) / 10,
    p99: Math.round(percentile(latencies, 99) * 10) / 10,
    engineCeiling: Math.round(engineCeilingValue * 10) / 10,
    naive: Math.round(naiveValue * 10) / 10,
    pgbenchTps,
    stateBytes: stored.stored,
    stateJsonBytes: stored.json,
    serverCpuMsPerStep: Math.round(serverCpuMsPerStep * 100) / 100,
    machineCpuMsPerStep: Math.round(machineCpuMsPerStep * 100) / 100,
    clientCpuMsPerStep: Math.round(clientCpuMsPerStep * 100) / 100,
    httpFloor: Math.round(floorPerSec * 10) / 10,
    httpFloorCpuMs: Math.round(floorCpuMs * 100) / 100,
    engineCpuMsPerStep: Math.round((1000 / engineCeilingValue) * 100) / 100,
    steps: latencies.length,
    failures,
    clients: CLIENTS,
    servers: SERVERS,
  };
  const ratio = (x: number, y: number) => (y ? (x / y).toFixed(2) : 'n/a');
  console.log('\nworkflow benchmark (same run)');
  console.table({
    [`HTTP steps/s (${CLIENTS} clients, ${SERVERS} server process${SERVERS > 1 ? 'es' : ''})`]: {
      value: result.stepsPerSec,
      target: '',
      ratio: '',
    },
    '(a) engine ceiling steps/s': {
      value: result.engineCeiling,
      target: '≥ 0.7×',
      ratio: ratio(result.stepsPerSec, result.engineCeiling),
    },
    '(b) naive recover steps/s': {
      value: result.naive,
      target: '≥ 3×',
      ratio: ratio(result.stepsPerSec, result.naive),
    },
    '(c) pgbench TPC-B tps (8 clients)': {
      value: result.pgbenchTps ?? 'n/a',
      target: '',
      ratio: result.pgbenchTps ? ratio(result.stepsPerSec, result.pgbenchTps) : 'n/a',
    },
    'server CPU ms per step (all server processes)': {
      value: result.serverCpuMsPerStep,
      target: '',
      ratio: `${ratio(result.serverCpuMsPerStep, result.engineCpuMsPerStep)}× the engine's own`,
    },
    'machine CPU ms per step (all cores, all processes)': {
      value: result.machineCpuMsPerStep,
      target: '',
      ratio: `bench clients ${result.clientCpuMsPerStep}, PostgreSQL and the rest ${
        Math.round(
          (result.machineCpuMsPerStep - result.serverCpuMsPerStep - result.clientCpuMsPerStep) * 100,
        ) / 100
      }`,
    },
    '(d) GET /auth/me requests/s (same clients)': {
      value: result.httpFloor,
      target: '',
      ratio: `${result.httpFloorCpuMs} ms server CPU each`,
    },
    'latency p50 ms': { value: result.p50, target: '', ratio: '' },
    'latency p95 ms': { value: result.p95, target: '≤ 100', ratio: '' },
    'latency p99 ms': { value: result.p99, target: '', ratio: '' },
    'stored state bytes per waiting case': {
      value: result.stateBytes,
      target: '≤ 8192',
      ratio: `${result.stateJsonBytes} as JSON text`,
    },
  });
  if (failures) console.log(`${failures} requests failed`);
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
