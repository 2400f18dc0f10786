/* The service as `npm start` runs it, plus the benchmark flow's registrations: the benchmark's server process. */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { makeLogger } from '../src/common/logger.js';
import { loadEnv } from '../src/config/env.js';
import { createApp, prepareDatabase } from '../src/startup.js';
import { BenchModule } from './bench-module.js';

const env = loadEnv();
const log = makeLogger(env.LOG_LEVEL);
const db = await prepareDatabase(env, log);
const app = await createApp(db.config, db.dataSource, log, [BenchModule]);
await app.listen({ port: env.PORT, host: '127.0.0.1' });
process.send?.({ ready: true });
// The benchmark asks for this process's CPU time before and after the measured part, and (BENCH_PROFILE)
// for a CPU profile of the measured part only.
const inspector = new Session();
process.on('message', (m: string) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (m === 'profile-start' && process.env.BENCH_PROFILE) {
    inspector.connect();
    inspector.post('Profiler.enable', () => inspector.post('Profiler.start'));
  }
  if (m === 'profile-stop' && process.env.BENCH_PROFILE) {
    inspector.post('Profiler.stop', (err, result) => {
      if (!err) {
        const dir = process.env.BENCH_PROFILE!;
        mkdirSync(dir, { recursive: true });
        writeFileSync(`${dir}/server-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
      }
      process.send?.({ profiled: !err });
    });
  }
});
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
