/* The service as `npm start` runs it, plus the benchmark flow's registrations: the benchmark's server process. */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import Fastify from 'fastify';
import pg from 'pg';
import { makeLogger } from '../src/common/logger.js';
import { loadEnv } from '../src/config/env.js';
import { createApp, prepareDatabase } from '../src/startup.js';
import { LiveEngine } from '../src/workflow/bpmn.js';
import { BenchModule } from './bench-module.js';

// Counts the statements the process sends (each query call of a pg client: BEGIN and COMMIT too), for the
// benchmark's statements per step. The count only; the call is passed on unchanged.
let statements = 0;
const query = pg.Client.prototype.query;
// BENCH_STATEMENTS=file: also which statements (their first 100 characters), written to the file at the end.
const statementTally = process.env.BENCH_STATEMENTS ? new Map<string, number>() : null;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  if (statementTally) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | null)?.text;
    const key = (text ?? '(no text)').replace(/\s+/g, ' ').slice(0, 100);
    statementTally.set(key, (statementTally.get(key) ?? 0) + 1);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

// Counts the engines recovered from stored state (a case's engine not in this process's cache), likewise.
let recoveries = 0;
const recover = LiveEngine.prototype.recover;
LiveEngine.prototype.recover = function (this: LiveEngine, state: object) {
  recoveries++;
  return recover.call(this, state);
};

const env = loadEnv();
const log = makeLogger(env.LOG_LEVEL);
const db = await prepareDatabase(env, log);
const app = await createApp(db.config, db.dataSource, log, [BenchModule]);
await app.listen({ port: env.PORT, host: '127.0.0.1' });
// BENCH_BARE_PORT (bench/registry.ts): the reference in this same process, a bare Fastify route answering a
// constant: /constant a tiny one; /constant-answer one the benchmark sets (message 'bare-body:<json>'), e.g. an
// answer of the route measured, so that both send the same bytes.
const bare = process.env.BENCH_BARE_PORT ? Fastify({ logger: false }) : null;
let answerConstant: unknown = {};
if (bare) {
  const constant = { decision: 'allowed' };
  bare.get('/constant', async () => constant);
  bare.get('/constant-answer', async () => answerConstant);
  await bare.listen({ port: Number(process.env.BENCH_BARE_PORT), host: '127.0.0.1' });
}
process.send?.({ ready: true });
// The benchmark asks for this process's CPU time (and statements sent, engines recovered) before and after the measured part, and (BENCH_PROFILE)
// for a CPU profile of the measured part only.
const inspector = new Session();
let connected = false;
process.on('message', (m: string) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage(), statements, recoveries });
  if (m.startsWith('bare-body:')) answerConstant = JSON.parse(m.slice('bare-body:'.length));
  if (m === 'profile-start' && process.env.BENCH_PROFILE) {
    if (!connected) inspector.connect();
    connected = true;
    inspector.post('Profiler.enable', () => inspector.post('Profiler.start'));
  }
  // 'profile-stop:<part>' writes the profile of the part measured since 'profile-start'.
  if (m.startsWith('profile-stop') && process.env.BENCH_PROFILE) {
    const part = m.split(':')[1] ?? 'measured';
    inspector.post('Profiler.stop', (err, result) => {
      if (!err) {
        const dir = process.env.BENCH_PROFILE!;
        mkdirSync(dir, { recursive: true });
        writeFileSync(`${dir}/server-${process.pid}-${part}.cpuprofile`, JSON.stringify(result.profile));
      }
      process.send?.({ profiled: !err });
    });
  }
});
// The benchmark gone (it failed or was stopped): this server goes too.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
process.on('SIGTERM', () => {
  if (statementTally)
    writeFileSync(
      process.env.BENCH_STATEMENTS!,
      [...statementTally]
        .sort((a, b) => b[1] - a[1])
        .map(([text, n]) => `${n}\t${text}`)
        .join('\n') + '\n',
    );
  void (bare?.close() ?? Promise.resolve())
    .then(() => app.close())
    .then(() => db.close())
    .then(() => process.exit(0));
});
