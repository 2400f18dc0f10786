/*
 * What both batteries share: a scratch database on a real PostgreSQL, the built service started as a child
 * process on it (`node dist/src/main.js`, exactly as `npm run start:prod` runs it), an HTTP client that can also
 * send malformed requests, logins of the demo users, and the table of figures each battery prints.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer } from 'node:net';
import { appendFileSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { APPROVALS, makeApplication } from '../test/fixtures/application.js';

export { APPROVALS, makeApplication };
import {
  createDatabase,
  dropDatabase,
  findPostgresServer,
  scratchName,
  type PostgresServer,
} from '../src/database/servers.js';

/** `--quick` or BATTERY_TIER=quick: the small tier CI runs (a few minutes on two cores). */
export const QUICK = process.argv.includes('--quick') || process.env.BATTERY_TIER === 'quick';
export const PASSWORD = 'Battery@2026';
/** Known to the battery so that it can forge tokens signed with the service's own key. */
export const JWT_SECRET = 'battery-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
/** The Node flags `npm run start:prod` uses. */
const SERVER_FLAGS = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['start:prod']
  .split(' ')
  .filter((word) => word.startsWith('--'));

/** BATTERY_TRACE=file: every probe and its answer, one a line, to check a figure by hand. */
export function trace(line: string): void {
  if (process.env.BATTERY_TRACE) appendFileSync(process.env.BATTERY_TRACE, line + '\n');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ScratchDatabase {
  url: string;
  name: string;
  server: PostgresServer;
  /** A connection of the battery's own, for checking what the service stored. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A new empty database on TEST_DATABASE_URL's server, 127.0.0.1:5432, or an embedded one. */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  const server = await findPostgresServer('.data/battery-pg', 54369);
  const name = scratchName('cwa_battery');
  const url = await createDatabase(server.adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined); // the reliability battery kills the service's backends, not ours
  return {
    url,
    name,
    server,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async drop() {
      await pool.end();
      await dropDatabase(server.adminUrl, name);
      await server.stop();
    },
  };
}

export interface Service {
  port: number;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The address the battery's own logins come from (TEST-NET-1, documentation only), apart from the attacks'. */
const BATTERY_DESK = '192.0.2.10';

/** Starts the built service (dist/src/main.js) on `databaseUrl` and waits until /health answers 200. */
export async function startService(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Service> {
  const port = await freePort();
  const child = fork('dist/src/main.js', [], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      SEED_DEMO: '1',
      PORT: String(port),
      LOG_LEVEL: process.env.BATTERY_LOG_LEVEL ?? 'fatal',
      DEMO_PASSWORD: PASSWORD,
      JWT_SECRET,
      TIMER_POLL_SECONDS: '1',
      // The battery's own logins come through as another client (X-Forwarded-For), so that the attacks'
      // failed logins from 127.0.0.1 never throttle the accounts the battery works with.
      TRUST_PROXY: '127.0.0.1',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: SERVER_FLAGS,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`the service exited while starting`);
    const res = await request(port, 'GET', '/health').catch(() => null);
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw new Error('the service did not answer /health within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    child,
    exited,
    async stop() {
      if (child.exitCode === null && !child.signalCode) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { error?: { code?: string } };
  text: string;
  /** Status 0: no answer within `timeoutMs` (rather than a refused or broken connection). */
  timedOut?: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is (a string of JSON, malformed or not), instead of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Give up after this many ms (answers status 0). */
  timeoutMs?: number;
}

/**
 * One HTTP request; status 0 when the connection failed or timed out. A kept-alive connection the service had
 * already closed (after answering an oversized request, say) is not the service's failure: such a request is
 * sent once more on a new connection.
 */
export async function request(
  port: number,
  method: string,
  path: string,
  o: RequestOptions = {},
): Promise<Answer> {
  const first = await send(port, method, path, o, agent);
  return first.status === 0 && first.staleSocket ? send(port, method, path, o, false) : first;
}

function send(
  port: number,
  method: string,
  path: string,
  o: RequestOptions,
  via: Agent | false,
): Promise<Answer & { staleSocket?: boolean }> {
  const payload = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: via,
        headers: {
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Answer['body'] = {};
          try {
            body = JSON.parse(text) as Answer['body'];
          } catch {
            // not JSON: kept in text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on('error', () => resolve({ status: 0, headers: {}, body: {}, text: '' }));
      },
    );
    let timedOut = false;
    if (o.timeoutMs)
      req.setTimeout(o.timeoutMs, () => {
        timedOut = true;
        req.destroy();
      });
    req.on('error', () =>
      resolve({
        status: 0,
        headers: {},
        body: {},
        text: '',
        timedOut,
        staleSocket: req.reusedSocket && !timedOut,
      }),
    );
    req.end(payload);
  });
}

/** A request written byte for byte (two Authorization headers, odd spacing…); answers the status and body. */
export function rawRequest(port: number, head: string, body = ''): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      let parsed: Answer['body'] = {};
      try {
        parsed = JSON.parse(payload) as Answer['body'];
      } catch {
        // chunked or not JSON
        const m = /\{[\s\S]*\}/.exec(payload);
        try {
          if (m) parsed = JSON.parse(m[0]) as Answer['body'];
        } catch {
          // left empty
        }
      }
      resolve({ status, headers: {}, body: parsed, text });
    });
    socket.write(
      head.replace(/\n/g, '\r\n') +
        `Connection: close\r\n` +
        (body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '') +
        `\r\n` +
        body,
    );
  });
}

/** A client of one running service, with the demo users' tokens kept once logged in. */
export class Api {
  private readonly tokens = new Map<string, string>();
  /** Passwords that are no longer the demo password (an attack that succeeded changed them). */
  readonly passwords = new Map<string, string>();
  constructor(public port: number) {}

  call(method: string, path: string, o: RequestOptions = {}): Promise<Answer> {
    return request(this.port, method, path, o);
  }

  /** Logs `username` in (once) and answers the bearer token. */
  async token(username: string): Promise<string> {
    const cached = this.tokens.get(username);
    if (cached) return cached;
    const password = this.passwords.get(username) ?? PASSWORD;
    const res = await this.call('POST', '/auth/login', {
      body: { username, password },
      headers: { 'x-forwarded-for': BATTERY_DESK },
    });
    if (res.status !== 200) throw new Error(`login of ${username}: ${res.status} ${res.text.slice(0, 300)}`);
    this.tokens.set(username, res.body.accessToken as string);
    return res.body.accessToken as string;
  }

  /** Forgets every token: the next call of each user logs in again. */
  forgetAll(): void {
    this.tokens.clear();
  }

  /** Forgets a token (after a logout, or when the session was ended on purpose). */
  forget(username: string): void {
    this.tokens.delete(username);
  }

  /** A call as `username` that must succeed; answers the body. */
  async as(username: string, method: string, path: string, body?: unknown): Promise<Answer['body']> {
    const res = await this.call(method, path, { token: await this.token(username), body });
    if (res.status < 200 || res.status > 299)
      throw new Error(`${username} ${method} ${path}: ${res.status} ${res.text.slice(0, 400)}`);
    return res.body;
  }
}

/** The demo users (README "Demo users"), each of whom the access matrix plays. */
export const DEMO_USERS = [
  'sysadmin',
  'secadmin',
  'auditor',
  'dept-staff',
  'dept-head',
  'dept2-staff',
  'office',
  'member-1',
  'member-2',
  'member-3',
  'leader',
  'finance',
  'street',
  'committee',
  'committee-2',
  'committee-d2',
  'city-office',
  'city-leader',
] as const;

/** One line of a battery's table: what was measured, its value, the target, and whether it was met. */
export interface Figure {
  measure: string;
  value: number | string;
  target: string;
  ok: boolean;
}

/** Prints the one table of a battery and the findings under it; answers the process exit code. */
export function report(title: string, figures: Figure[], findings: string[]): number {
  console.log(`\n${title} (${QUICK ? 'quick tier' : 'full tier'})`);
  console.table(
    Object.fromEntries(
      figures.map((f) => [f.measure, { value: f.value, target: f.target, met: f.ok ? 'yes' : 'NO' }]),
    ),
  );
  if (findings.length) {
    const shown = findings.slice(0, Number(process.env.BATTERY_MAX_FINDINGS ?? 200));
    console.log(
      `\nfindings (${findings.length}${shown.length < findings.length ? `, first ${shown.length}` : ''}):`,
    );
    for (const f of shown) console.log(`  ${f}`);
  }
  const missed = figures.filter((f) => !f.ok).length;
  console.log(missed ? `\n${missed} target(s) missed` : '\nevery target met');
  return missed ? 1 : 0;
}

/** The open task of a case at an element in `username`'s inbox. */
export async function taskOf(
  api: Api,
  username: string,
  instanceId: string,
  elementId: string,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const inbox = (await api.as(username, 'GET', '/tasks?pageSize=200')) as unknown as {
      items: { id: string; instanceId: string; elementId: string }[];
    };
    const t = inbox.items.find((x) => x.instanceId === instanceId && x.elementId === elementId);
    if (t) return t.id;
    if (Date.now() > deadline) throw new Error(`${username} has no ${elementId} task of case ${instanceId}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Approves the case's steps `APPROVALS[from..to)` as the users who hold them. */
export async function approveSteps(api: Api, instanceId: string, from: number, to: number): Promise<void> {
  for (const [user, element] of APPROVALS.slice(from, to)) {
    const id = await taskOf(api, user, instanceId, element);
    await api.as(user, 'POST', `/tasks/${id}/complete`, { decision: 'approve' });
  }
}

/** Drafts and submits an application as `user`; answers its id and case. */
export async function submitApplication(
  api: Api,
  user: string,
  communityIds: string[],
): Promise<{ applicationId: string; instanceId: string }> {
  const draft = await api.as(user, 'POST', '/applications', makeApplication(communityIds));
  const sub = await api.as(user, 'POST', `/applications/${draft.id as string}/submit`, {});
  return { applicationId: draft.id as string, instanceId: sub.instanceId as string };
}

/** Unit ids by code and user ids by username, read from the service's database. */
export async function directory(db: ScratchDatabase) {
  const unit: Record<string, string> = {};
  for (const r of await db.query<{ code: string; id: string }>('SELECT code, id FROM org_unit'))
    unit[r.code] = r.id;
  const user: Record<string, string> = {};
  for (const r of await db.query<{ username: string; id: string }>('SELECT username, id FROM app_user'))
    user[r.username] = r.id;
  return { unit, user };
}

/** Community codes of the demo organization (README "Demo users"). */
export const COMMUNITY = { C1: '339901001001', C2: '339901001002' };
