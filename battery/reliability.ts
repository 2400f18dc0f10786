/*
 * npm run test:reliability [-- --quick] — faults against the real service (the built dist, child processes on a
 * fresh PostgreSQL database with the demo data, reached through a TCP proxy that can stop forwarding):
 *   1. concurrency: 200 completions of one task at once and 100 funding registrations with one idempotency key,
 *      in one server process and in two: exactly one effect, no 5xx;
 *   2. kill -9 of the server process under load, again and again: every acknowledged change is in the database;
 *   3. the database killed (every backend of the service terminated) and paused (the proxy stops forwarding):
 *      answers 503 DATABASE_UNAVAILABLE, never 401, no request hangs, and the service serves again ≤ 10 s after.
 * Prints one table of figures and the findings; exits 1 when a target is missed.
 */
import { randomUUID } from 'node:crypto';
import {
  Api,
  type Answer,
  approveSteps,
  COMMUNITY,
  directory,
  type Figure,
  QUICK,
  report,
  scratchDatabase,
  type ScratchDatabase,
  type Service,
  startService,
  submitApplication,
} from './harness.js';
import { reviewCase } from './fixtures.js';
import { PausableProxy } from './proxy.js';

const findings: string[] = [];
const figures: Figure[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (r: Answer) => r.status >= 200 && r.status < 300;
const tally = (rs: Answer[]) => {
  const m = new Map<string, number>();
  for (const r of rs) {
    const k = `${r.status || 'none'}${r.body.error?.code ? ` ${r.body.error.code}` : ''}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => `${n} × ${k}`).join(', ');
};

/** 200 completions of one task (spread over the given services) at the same moment: exactly one wins. */
async function concurrentCompletions(apis: Api[], db: ScratchDatabase, unit: Record<string, string>) {
  const { task } = await reviewCase(apis[0], unit);
  const token = await apis[0].token('office');
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      apis[i % apis.length].call('POST', `/tasks/${task}/complete`, { token, body: { decision: 'approve' } }),
    ),
  );
  const [{ n }] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM workflow_history WHERE task_id = $1 AND action = 'task.completed'`,
    [task],
  );
  const wins = answers.filter(ok).length;
  const fives = answers.filter((r) => r.status >= 500 || r.status === 0).length;
  const label = `200 completions of one task, ${apis.length} process${apis.length > 1 ? 'es' : ''}`;
  if (wins !== 1 || n !== 1 || fives) findings.push(`${label}: ${tally(answers)}; ${n} completion(s) stored`);
  figures.push({
    measure: `${label}: accepted / stored / 5xx`,
    value: `${wins} / ${n} / ${fives}`,
    target: '1 / 1 / 0',
    ok: wins === 1 && n === 1 && fives === 0,
  });
}

/** 100 registrations of one transfer with one idempotency key at the same moment: one row, one answer. */
async function concurrentRegistrations(apis: Api[], db: ScratchDatabase, item: string, community: string) {
  const key = `reliability-${randomUUID()}`;
  const body = {
    communityId: community,
    amountFen: 300000,
    account: '东华街道社区财务专账 6222',
    reference: `GK-${key}`,
    idempotencyKey: key,
  };
  const token = await apis[0].token('dept-staff');
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      apis[i % apis.length].call('POST', `/admitted-items/${item}/transfers`, { token, body }),
    ),
  );
  const [{ n }] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM funding_transfer WHERE item_id = $1 AND idempotency_key = $2',
    [item, key],
  );
  const ids = new Set(answers.filter(ok).map((r) => r.body.id));
  const fives = answers.filter((r) => r.status >= 500 || r.status === 0).length;
  // Each either answers the one transfer or is refused as a conflict; never a second row, never a 5xx.
  const bad = answers.filter((r) => !ok(r) && r.status !== 409).length;
  const label = `100 registrations with one key, ${apis.length} process${apis.length > 1 ? 'es' : ''}`;
  const good = n === 1 && ids.size === 1 && fives === 0 && bad === 0;
  if (!good)
    findings.push(`${label}: ${tally(answers)}; ${n} row(s) stored, ${ids.size} distinct id(s) answered`);
  figures.push({ measure: `${label}: rows / 5xx`, value: `${n} / ${fives}`, target: '1 / 0', ok: good });
}

interface Ack {
  kind: 'completion' | 'account' | 'calendar';
  ref: string;
  value?: string;
}

/**
 * Clients change things through the service (task completions, new accounts, calendar days) while it is killed
 * with SIGKILL at a random moment; after each restart the next round runs. Answers every acknowledged change.
 */
async function killUnderLoad(
  db: ScratchDatabase,
  databaseUrl: string,
  unit: Record<string, string>,
  rounds: number,
): Promise<{ acks: Ack[]; kills: number; attempts: number; fives: number }> {
  let service = await startService(databaseUrl);
  const api = new Api(service.port);
  // Cases waiting at the office's completeness review; each gets completed, then its scope review.
  const queue: { instance: string; task: string }[] = [];
  for (let i = 0; i < rounds * 6; i++) {
    const c = await reviewCase(api, unit);
    queue.push({ instance: c.instanceId, task: c.task });
  }
  const office = await api.token('office');
  const admin = await api.token('sysadmin');
  const acks: Ack[] = [];
  let kills = 0;
  let attempts = 0;
  let fives = 0;
  let serial = 0;
  for (let round = 0; round < rounds; round++) {
    let down = false;
    const unsure: { instance: string; task: string }[] = [];
    const worker = async (w: number) => {
      while (!down) {
        const n = serial++;
        const op = n % 3;
        attempts++;
        if (op === 0 && queue.length) {
          const c = queue.shift()!;
          const res = await api.call('POST', `/tasks/${c.task}/complete`, {
            token: office,
            body: { decision: 'approve' },
          });
          if (ok(res)) {
            acks.push({ kind: 'completion', ref: c.task });
            const next = (res.body.openTasks as { id: string; elementId: string }[] | undefined)?.find(
              (t) => t.elementId === 'scopeReview',
            );
            if (next) queue.push({ instance: c.instance, task: next.id });
          } else {
            if (res.status >= 500 && !down) fives++;
            unsure.push(c);
          }
        } else if (op === 1) {
          const username = `load-${w}-${n}`;
          const res = await api.call('POST', '/admin/users', {
            token: admin,
            body: {
              username,
              displayName: '压力测试',
              unitId: unit['339901-WJ'],
              password: 'Battery@Load-2026',
            },
          });
          if (ok(res)) acks.push({ kind: 'account', ref: username });
          else if (res.status >= 500 && !down) fives++;
        } else {
          const day = new Date(Date.UTC(2030, 0, 1) + n * 86400_000).toISOString().slice(0, 10);
          const note = `load ${n}`;
          const res = await api.call('PUT', `/work-calendar/${day}`, {
            token: admin,
            body: { workingDay: false, note },
          });
          if (ok(res)) acks.push({ kind: 'calendar', ref: day, value: note });
          else if (res.status >= 500 && !down) fives++;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
    await sleep(500 + Math.random() * 2500);
    service.child.kill('SIGKILL');
    await service.exited;
    down = true;
    kills++;
    await load;
    service = await startService(databaseUrl);
    api.port = service.port;
    // A completion that got no answer may or may not have happened: continue from what the database holds.
    for (const c of unsure) {
      const open = await db.query<{ id: string; element_id: string }>(
        `SELECT id, element_id FROM workflow_task WHERE instance_id = $1 AND status NOT IN ('completed', 'cancelled') AND element_id IN ('completeness', 'scopeReview')`,
        [c.instance],
      );
      if (open[0]) queue.push({ instance: c.instance, task: open[0].id });
    }
  }
  await service.stop();
  if (process.env.BATTERY_VERBOSE)
    console.log(`kill rounds: ${attempts} attempts, ${acks.length} acknowledged`);
  return { acks, kills, attempts, fives };
}

/** Every acknowledged change, looked up in the database. */
async function lostChanges(db: ScratchDatabase, acks: Ack[]): Promise<Ack[]> {
  const lost: Ack[] = [];
  for (const a of acks) {
    let found: boolean;
    if (a.kind === 'completion')
      found =
        (
          await db.query(
            `SELECT 1 FROM workflow_task t JOIN workflow_history h ON h.task_id = t.id AND h.action = 'task.completed' WHERE t.id = $1 AND t.status = 'completed'`,
            [a.ref],
          )
        ).length > 0;
    else if (a.kind === 'account')
      found = (await db.query('SELECT 1 FROM app_user WHERE username = $1', [a.ref])).length > 0;
    else
      found =
        (await db.query('SELECT 1 FROM work_calendar_day WHERE day = $1 AND note = $2', [a.ref, a.value]))
          .length > 0;
    if (!found) lost.push(a);
  }
  return lost;
}

/**
 * Requests during a database outage and after it: answers while it lasts (503 expected, never 401, none left
 * hanging past 10 s) and the seconds from its end until the service serves a logged-in request again.
 */
async function outage(
  api: Api,
  name: string,
  begin: () => Promise<void>,
  end: () => void,
  seconds: number,
  everyMs: number,
) {
  const token = await api.token('office');
  const during: Answer[] = [];
  const pending: Promise<void>[] = [];
  await begin();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    pending.push(
      api.call('GET', '/tasks', { token, timeoutMs: 10_000 }).then((r) => {
        during.push(r);
      }),
    );
    await sleep(everyMs);
  }
  end();
  const ended = Date.now();
  let recovered: number | null = null;
  while (Date.now() - ended < 60_000) {
    const r = await api.call('GET', '/tasks', { token, timeoutMs: 5_000 });
    if (r.status === 200) {
      recovered = (Date.now() - ended) / 1000;
      break;
    }
    await sleep(100);
  }
  await Promise.all(pending);
  if (process.env.BATTERY_VERBOSE)
    console.log(`database ${name}: ${tally(during)}; served again after ${recovered ?? 'never'} s`);
  const unauthorized = during.filter((r) => r.status === 401).length;
  const hung = during.filter((r) => r.status === 0 && r.timedOut).length;
  const notUnavailable = during.filter(
    (r) =>
      ![0, 200, 401].includes(r.status) &&
      !(r.status === 503 && r.body.error?.code === 'DATABASE_UNAVAILABLE'),
  ).length;
  if (unauthorized || hung || notUnavailable || recovered === null || recovered > 10)
    findings.push(
      `database ${name} for ${seconds} s: during it ${tally(during)}; served again ${recovered === null ? 'never (60 s)' : `after ${recovered.toFixed(1)} s`}`,
    );
  figures.push(
    {
      measure: `database ${name}: answers 401 / none in 10 s / other errors`,
      value: `${unauthorized} / ${hung} / ${notUnavailable}`,
      target: '0 / 0 / 0',
      ok: !unauthorized && !hung && !notUnavailable,
    },
    {
      measure: `database ${name}: seconds until served again`,
      value: recovered === null ? 'never' : Number(recovered.toFixed(1)),
      target: '≤ 10',
      ok: recovered !== null && recovered <= 10,
    },
  );
}

async function main(): Promise<number> {
  const db = await scratchDatabase();
  const upstream = new URL(db.url);
  const proxy = new PausableProxy(upstream.hostname, Number(upstream.port || 5432));
  await proxy.start();
  const url = proxy.url(db.url);
  const services: Service[] = [];
  try {
    const first = await startService(url);
    let current = first;
    services.push(first);
    const second = await startService(url);
    services.push(second);
    const one = new Api(first.port);
    const two = [one, new Api(second.port)];
    const { unit } = await directory(db);

    // An admitted item to register funding for: C1 from one process, C2 from two.
    const admitted = await submitApplication(one, 'dept-staff', [unit[COMMUNITY.C1], unit[COMMUNITY.C2]]);
    await approveSteps(one, admitted.instanceId, 0, 7);
    const [item] = await db.query<{ id: string }>('SELECT id FROM admitted_item WHERE application_id = $1', [
      admitted.applicationId,
    ]);

    await concurrentCompletions([one], db, unit);
    await concurrentCompletions(two, db, unit);
    await concurrentRegistrations([one], db, item.id, unit[COMMUNITY.C1]);
    await concurrentRegistrations(two, db, item.id, unit[COMMUNITY.C2]);
    await second.stop();

    const killed = await killUnderLoad(db, url, unit, QUICK ? 3 : 22);
    const lost = await lostChanges(db, killed.acks);
    for (const l of lost.slice(0, 20))
      findings.push(`lost after kill -9: ${l.kind} ${l.ref} was acknowledged`);
    if (killed.fives) findings.push(`kill -9 rounds: ${killed.fives} answers 5xx while the service was up`);
    figures.push(
      {
        measure: 'kill -9 of the server under load',
        value: killed.kills,
        target: QUICK ? '≥ 3' : '≥ 20',
        ok: killed.kills >= (QUICK ? 3 : 20),
      },
      { measure: 'acknowledged changes checked afterwards', value: killed.acks.length, target: '', ok: true },
      { measure: 'acknowledged changes lost', value: lost.length, target: '0', ok: lost.length === 0 },
      {
        measure: 'answers 5xx while up (kill rounds)',
        value: killed.fives,
        target: '0',
        ok: killed.fives === 0,
      },
    );

    // The first service (still running) meets the database faults.
    // Killed: every backend of the service is terminated, again every 100 ms while the outage lasts (a database
    // restarting); paused: the proxy stops forwarding, long enough that a request without a timeout hangs.
    let killing = false;
    let killer: Promise<void> = Promise.resolve();
    await outage(
      one,
      'killed',
      async () => {
        killing = true;
        killer = (async () => {
          while (killing) {
            await db.query(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
              [db.name],
            );
            await sleep(100);
          }
        })();
      },
      () => {
        killing = false;
      },
      QUICK ? 3 : 10,
      50,
    );
    await killer;
    // A process that died of the outage is a finding of its own; the next fault meets a new one.
    let died = 0;
    const survived = async (phase: string) => {
      if (current.child.exitCode === null && !current.child.signalCode) return;
      died++;
      findings.push(
        `the server process died while the database was ${phase} (exit ${current.child.exitCode ?? current.child.signalCode})`,
      );
      current = await startService(url);
      services.push(current);
      one.port = current.port;
    };
    await survived('killed');
    await outage(
      one,
      'paused',
      async () => proxy.pause(),
      () => proxy.resume(),
      QUICK ? 15 : 30,
      250,
    );
    await survived('paused');
    figures.push({
      measure: 'server processes that died of the database faults',
      value: died,
      target: '0',
      ok: died === 0,
    });
    return report('reliability battery', figures, findings);
  } finally {
    proxy.resume();
    for (const s of services) await s.stop();
    await proxy.stop();
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
