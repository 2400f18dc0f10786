/* The service as `npm start` runs it, plus the benchmark flow's registrations: the benchmark's server process. */
import 'reflect-metadata';
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
// The benchmark asks for this process's CPU time before and after the measured part.
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
