/*
 * npm run bench:registry — the public stamp check (GET /stamp-items/check) over HTTP against real PostgreSQL,
 * beside a reference measured in the same run and the same server process: a bare Fastify route answering a
 * constant (bench/server.ts, BENCH_BARE_PORT).
 *  - The registry: the national list and the demo city's (as every deployment has them), plus 5,000 generated
 *    entries in 50 lists at five scopes (national, the province, the city, both districts), allowed and prohibited;
 *    one certificate in five named at each of the five scopes (so the precedence rule has work to do).
 *  - 32 clients (node:http, kept-alive connections) ask the check: listed names as typed (exact, 开个…, …吗,
 *    without 证明), colloquial names of the national list, and unrelated names (not listed, with candidates), for
 *    the demo's twelve communities or none. The same number of requests goes to the bare route before and after
 *    the check's run (its mean is the reference: the machine is shared, its load drifts).
 *  - Then questions never asked before (a tenth as many): each is matched (no ruling kept for it yet).
 *  - Then the rule the memory must keep: a list published by another process (this one) is answered from the
 *    next request on once announced; the time from COMMIT to the first fresh answer is measured.
 * Prints requests/s, p50/p95/p99 and server and client CPU per request for both, the targets (≥ 0.5 × the bare route's
 * requests/s, p99 ≤ 20 ms), and writes bench/results/registry.json. BENCH_QUICK=1 runs a short version.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { AuditService } from '../src/audit/audit.service.js';
import { makeDataSource } from '../src/database/data-source.js';
import { migrate } from '../src/database/migrate.js';
import { createDatabase, dropDatabase, findPostgresServer, scratchName } from '../src/database/servers.js';
import { seedDemo } from '../src/org/demo-seed.js';
import { publishStampList, type NewStampList } from '../src/stamps/stamp-lists.js';
import { benchHttp, type BenchHttp } from './http-client.js';

const QUICK = ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (QUICK ? 8_000 : 40_000));
/** Not measured; at least the workload's 4,000 questions once, so that the measured run asks nothing new. */
const WARM_UP = QUICK ? 4_000 : 8_000;
const LISTS = 50;
const ENTRIES_PER_LIST = 100;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;
const PASSWORD = 'Bench@2026';
/** The server runs with the Node flags that `npm run start:prod` uses. */
const SERVER_FLAGS = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['start:prod']
  .split(' ')
  .filter((word) => word.startsWith('--'));

const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A small deterministic generator (mulberry32): the same workload every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WHO = (
  '房屋 土地 车辆 船舶 宠物 企业 个体 学生 教师 老人 儿童 农户 渔民 退役 军属 烈属 残障 低保 特困 孤儿 ' +
  '流动 租户 业主 商户 摊贩 快递 外卖 网约 保姆 护工 医护 志愿 社工 党员 团员 侨眷 台胞 港澳 外籍 留守'
).split(' ');
const WHAT = (
  '居住情况 收入情况 就业登记 培训经历 参保缴费 租赁关系 经营场所 安全检查 卫生达标 消防合格 邻里纠纷 调解结果 ' +
  '家庭成员 赡养关系 抚养关系 监护关系 走访记录 帮扶记录 慰问发放 补贴领取 危房改造 装修备案 停车位 充电桩 ' +
  '门牌地址 房屋用途 院落权属 宅基地 承包经营 林地权属 水电开户 燃气开户 网络开户 学籍转移 入托入园 预防接种 ' +
  '体检结果 健康状况 出行记录 通行许可 活动场地 文艺演出 体育赛事 捐赠款物 募捐活动 社团备案 楼道清理 绿化养护 ' +
  '垃圾清运 环境整治 噪声扰民 违章搭建 群租整治 消防通道 电梯维保 物业服务 业委会 维修基金 公共收益 车辆停放'
).split(' ');
/** Scopes of the 50 lists: 5 national, 10 the province's, 15 the city's, 10 each district's. */
const SCOPES = [
  ...Array<string>(5).fill(''),
  ...Array<string>(10).fill('33'),
  ...Array<string>(15).fill('3399'),
  ...Array<string>(10).fill('339901'),
  ...Array<string>(10).fill('339902'),
];
const COMMUNITIES = ['339901001', '339901002', '339902001', '339902002'].flatMap((s) =>
  [1, 2, 3].map((i) => `${s}00${i}`),
);
const COLLOQUIAL = [
  '养狗证明',
  '开个居住证明',
  '无犯罪记录',
  '活着证明',
  '困难证明',
  '公租房证明',
  '证明居民养犬',
];
const UNRELATED = ['天气预报证明', '好人好事证明', '出国旅游证明', '彩票中奖证明', '游泳馆会员证明'];

/** Qualifiers that make more distinct names (and similar ones: 临时房屋居住情况证明 beside 房屋居住情况证明). */
const QUALIFIERS = ['', '临时', '补办'];
/**
 * Entry j of list l: a certificate of its own (4 in 5), or (every fifth) one named again in the lists l ± 10, 20, …
 * — at the other scopes, so the precedence rule has work to do (a prohibition over allowances, newer over older).
 */
function entryName(l: number, j: number): string {
  const u = j % 5 === 0 ? (l % 10) * ENTRIES_PER_LIST + j : l * ENTRIES_PER_LIST + j;
  const who = WHO[u % WHO.length];
  const what = WHAT[Math.floor(u / WHO.length) % WHAT.length];
  return `${QUALIFIERS[Math.floor(u / (WHO.length * WHAT.length))]}${who}${what}证明`;
}

function generatedLists(): NewStampList[] {
  return SCOPES.map((scopeCode, l) => ({
    title: `基准测试清单第${l + 1}号`,
    documentNumber: `基准〔${2018 + (l % 8)}〕${l + 1}号`,
    issuedBy: '基准测试发文机关',
    issuedOn: `${2018 + (l % 8)}-0${1 + (l % 9)}-15`,
    listType: l % 3 === 2 ? 'prohibited' : 'allowed',
    scopeCode,
    effectiveFrom: `${2018 + (l % 8)}-10-01`,
    recordedFrom: 'bench/registry.ts',
    entries: Array.from({ length: ENTRIES_PER_LIST }, (_, j) => ({
      seq: j + 1,
      name: entryName(l, j),
      legalBasis: `基准〔${2018 + (l % 8)}〕${l + 1}号第${j + 1}项`,
      purpose: '基准测试',
      procedure: '申请 → 核实 → 出具',
      timeLimit: l % 3 === 2 ? null : { kind: 'working-days' as const, workingDays: 1 + (j % 5) },
    })),
  }));
}

/** The check's workload: what people type, for which community (or none), in a fixed order. */
function workload(count: number): string[] {
  const next = random(20261202);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  return Array.from({ length: count }, () => {
    const r = next();
    let name: string;
    if (r < 0.55) {
      const base = entryName(Math.floor(next() * LISTS), Math.floor(next() * ENTRIES_PER_LIST));
      name = pick([base, `开个${base}`, `${base}吗`, base.replace('证明', ''), ` ${base} `]);
    } else if (r < 0.75) name = pick(COLLOQUIAL);
    else if (r < 0.9) name = pick(UNRELATED);
    else name = `${pick(WHO)}${pick(['出行', '婚恋', '收藏', '旅居'])}证明`;
    const community = next() < 0.9 ? pick(COMMUNITIES) : null;
    return `/stamp-items/check?name=${encodeURIComponent(name)}${community ? `&community=${community}` : ''}`;
  });
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

interface Run {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
  decisions: Record<string, number>;
  serverCpuMs: number;
  /** This process's (the clients') CPU time meanwhile: they share the two cores with the server. */
  clientCpuMs: number;
}

/** `total` requests from CLIENTS clients, each taking the next path in turn; latencies in ms. */
async function drive(
  http: BenchHttp,
  server: number,
  paths: string[],
  total: number,
  serverCpu: () => Promise<number>,
): Promise<Run> {
  const latencies: number[] = [];
  const decisions: Record<string, number> = {};
  let failures = 0;
  let issued = 0;
  const cpuBefore = await serverCpu();
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (issued < total) {
        const path = paths[issued++ % paths.length];
        const t0 = process.hrtime.bigint();
        const res = await http.request('GET', path, null, undefined, server);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status !== 200) failures++;
        const d = String(res.body.decision);
        decisions[d] = (decisions[d] ?? 0) + 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const client = process.cpuUsage(clientBefore);
  const serverCpuMs = (await serverCpu()) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    latencies,
    failures,
    decisions,
    serverCpuMs,
    clientCpuMs: (client.user + client.system) / 1000,
  };
}

const figures = (r: Run) => ({
  requestsPerSec: round(r.requests / r.seconds),
  p50: round(percentile(r.latencies, 50), 2),
  p95: round(percentile(r.latencies, 95), 2),
  p99: round(percentile(r.latencies, 99), 2),
  serverCpuMsPerRequest: round(r.serverCpuMs / r.requests, 3),
  clientCpuMsPerRequest: round(r.clientCpuMs / r.requests, 3),
  requests: r.requests,
  failures: r.failures,
});

async function main(): Promise<void> {
  const server = await findPostgresServer('.data/bench-pg', 54359);
  const dbName = scratchName('cwa_bench_registry');
  const url = await createDatabase(server.adminUrl, dbName);
  const ds = makeDataSource(url, 4);
  await ds.initialize();
  await migrate(ds);
  const audit = new AuditService(ds);
  await seedDemo(ds, PASSWORD, audit);
  const lists = generatedLists();
  await ds.transaction(async (m) => {
    for (const list of lists) await publishStampList(m, audit, {}, list);
  });
  const entries = Number((await ds.query('SELECT count(*)::int AS n FROM stamp_entry'))[0].n);

  const port = await freePort();
  const barePort = await freePort();
  const child: ChildProcess = fork('dist/bench/server.js', [], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      PORT: String(port),
      BENCH_BARE_PORT: String(barePort),
      LOG_LEVEL: 'warn',
      WORKFLOWS_DIR: 'workflows,bench/workflows',
      DB_POOL_SIZE: '16',
      DEMO_PASSWORD: PASSWORD,
      AUDIT_SEAL_KEY: randomBytes(32).toString('hex'),
      // BENCH_PROFILE=dir: the server writes a CPU profile of the check's measured run there.
      BENCH_PROFILE: process.env.BENCH_PROFILE ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: SERVER_FLAGS,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  const serverCpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpu: { user: number; system: number } }) =>
        resolve((m.cpu.user + m.cpu.system) / 1000),
      );
      child.send('cpu');
    });
  const http = benchHttp([port, barePort], CLIENTS);
  const CHECK = 0;
  const BARE = 1;
  const paths = workload(4_000);
  const bare = ['/constant'];

  // Warm-up (compiles both paths; the registry is read and each community's view computed): not measured.
  await drive(http, BARE, bare, WARM_UP, serverCpu);
  await drive(http, CHECK, paths, WARM_UP, serverCpu);
  // The size of the answers (their JSON), over the first 400 questions of the workload; the answer closest to the
  // mean becomes the second reference's constant (the same bytes on the wire as a typical answer).
  const sample: { body: unknown; bytes: number }[] = [];
  for (const path of paths.slice(0, 400)) {
    const { body } = await http.request('GET', path, null, undefined, CHECK);
    sample.push({ body, bytes: Buffer.byteLength(JSON.stringify(body)) });
  }
  const bytesPerAnswer = Math.round(sample.reduce((n, s) => n + s.bytes, 0) / sample.length);
  const typical = [...sample].sort(
    (a, b) => Math.abs(a.bytes - bytesPerAnswer) - Math.abs(b.bytes - bytesPerAnswer),
  )[0];
  child.send(`bare-body:${JSON.stringify(typical.body)}`);
  const sameBytes = ['/constant-answer'];
  await drive(http, BARE, sameBytes, WARM_UP / 4, serverCpu);
  // Measured: the bare routes, the check, the bare routes again (the machine's load drifts: their mean counts).
  const bareBefore = await drive(http, BARE, bare, REQUESTS, serverCpu);
  const sameBefore = await drive(http, BARE, sameBytes, REQUESTS, serverCpu);
  if (process.env.BENCH_PROFILE) child.send('profile-start');
  const check = await drive(http, CHECK, paths, REQUESTS, serverCpu);
  if (process.env.BENCH_PROFILE)
    await new Promise((resolve) => {
      child.once('message', resolve);
      child.send('profile-stop:check');
    });
  const bareAfter = await drive(http, BARE, bare, REQUESTS, serverCpu);
  const sameAfter = await drive(http, BARE, sameBytes, REQUESTS, serverCpu);
  // And questions never asked before (each one new: no ruling kept for it, the matching runs), a tenth as many.
  const fresh = Array.from({ length: Math.ceil(REQUESTS / 10) }, (_, i) => {
    const name = `${WHO[i % WHO.length]}${WHAT[Math.floor(i / WHO.length) % WHAT.length]}${i}号证明`;
    return `/stamp-items/check?name=${encodeURIComponent(name)}&community=${COMMUNITIES[i % COMMUNITIES.length]}`;
  });
  const firstAsked = await drive(http, CHECK, fresh, fresh.length, serverCpu);

  // Freshness: another process (this one) publishes a prohibition; the server answers with it from when?
  const probe = `/stamp-items/check?name=${encodeURIComponent('基准新增禁止证明')}&community=339901001001`;
  const before = await http.request('GET', probe, null, undefined, CHECK);
  await ds.transaction((m) =>
    publishStampList(
      m,
      audit,
      {},
      {
        title: '基准测试新增禁止清单',
        documentNumber: '基准〔2026〕99号',
        issuedBy: '基准测试发文机关',
        issuedOn: '2026-01-01',
        listType: 'prohibited',
        scopeCode: '3399',
        effectiveFrom: '2026-01-01',
        entries: [{ name: '基准新增禁止证明', legalBasis: '基准〔2026〕99号第1项' }],
      },
    ),
  );
  const committed = process.hrtime.bigint();
  let staleAnswers = 0;
  for (;;) {
    const res = await http.request('GET', probe, null, undefined, CHECK);
    if (res.body.decision === 'prohibited') break;
    staleAnswers++;
  }
  const freshAfterMs = Number(process.hrtime.bigint() - committed) / 1e6;

  http.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const bareFigures = { before: figures(bareBefore), after: figures(bareAfter) };
  const sameFigures = { before: figures(sameBefore), after: figures(sameAfter) };
  const bareRps = (bareFigures.before.requestsPerSec + bareFigures.after.requestsPerSec) / 2;
  const sameRps = (sameFigures.before.requestsPerSec + sameFigures.after.requestsPerSec) / 2;
  const checkFigures = figures(check);
  const ratio = checkFigures.requestsPerSec / bareRps;
  const sameRatio = checkFigures.requestsPerSec / sameRps;
  const result = {
    check: { ...checkFigures, decisions: check.decisions },
    checkFirstAsked: { ...figures(firstAsked), decisions: firstAsked.decisions },
    bare: { requestsPerSec: round(bareRps), ...bareFigures },
    ratio: round(ratio, 3),
    bareSameBytes: { requestsPerSec: round(sameRps), bytes: typical.bytes, ...sameFigures },
    ratioSameBytes: round(sameRatio, 3),
    targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS },
    pass: { ratio: ratio >= TARGET_RATIO, p99: checkFigures.p99 <= TARGET_P99_MS },
    freshness: {
      decisionBefore: before.body.decision,
      freshAfterMs: round(freshAfterMs, 2),
      staleAnswersAfterCommit: staleAnswers,
    },
    registry: { lists: LISTS, generatedEntries: LISTS * ENTRIES_PER_LIST, entriesInDatabase: entries },
    clients: CLIENTS,
    distinctQuestions: new Set(paths).size,
    bytesPerAnswer,
    loadAverage: loadavg().map((x) => round(x, 2)),
    quick: QUICK,
    note: 'one server process; the clients and PostgreSQL on the same machine, shared with other work (see loadAverage)',
  };

  console.log(
    `\nstamp registry check: ${entries} entry versions (${LISTS} generated lists × ${ENTRIES_PER_LIST} + the shipped ones), ` +
      `${CLIENTS} clients, ${REQUESTS} requests per run, ${result.distinctQuestions} distinct questions`,
  );
  console.table({
    'GET /stamp-items/check': { ...checkFigures },
    'the check, every question new': { ...figures(firstAsked) },
    'bare Fastify constant (before)': { ...bareFigures.before },
    'bare Fastify constant (after)': { ...bareFigures.after },
    [`bare Fastify, a ${typical.bytes}-byte answer (before)`]: { ...sameFigures.before },
    [`bare Fastify, a ${typical.bytes}-byte answer (after)`]: { ...sameFigures.after },
  });
  console.log(
    `answers: ${JSON.stringify(check.decisions)}, ${bytesPerAnswer} bytes of JSON each on average; load average ${result.loadAverage.join(' ')}`,
  );
  console.log(
    `${result.pass.ratio ? 'PASS' : 'FAIL'} check requests/s ≥ ${TARGET_RATIO} × the bare constant route's: ` +
      `${checkFigures.requestsPerSec} / ${round(bareRps)} = ${ratio.toFixed(2)}`,
  );
  console.log(
    `${sameRatio >= TARGET_RATIO ? 'PASS' : 'FAIL'} (for comparison) ≥ ${TARGET_RATIO} × a bare route sending a typical answer's bytes: ` +
      `${checkFigures.requestsPerSec} / ${round(sameRps)} = ${sameRatio.toFixed(2)}`,
  );
  console.log(`${result.pass.p99 ? 'PASS' : 'FAIL'} check p99 ≤ ${TARGET_P99_MS} ms: ${checkFigures.p99} ms`);
  console.log(
    `${before.body.decision === 'not-listed' ? 'PASS' : 'FAIL'} a list published by another process is answered ` +
      `${round(freshAfterMs, 2)} ms after its COMMIT (${staleAnswers} answers in between still without it)`,
  );
  const failed =
    check.failures + bareBefore.failures + bareAfter.failures + sameBefore.failures + sameAfter.failures;
  if (failed) console.log(`${failed} requests failed`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/registry.json', JSON.stringify(result, null, 2) + '\n');
  await ds.destroy();
  await dropDatabase(server.adminUrl, dbName);
  await server.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
