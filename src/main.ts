import 'reflect-metadata';
import { loadEnv, EnvError } from './config/env.js';
import { makeLogger } from './common/logger.js';
import { leaveStopSignalsToService } from './database/embedded-database.js';
import { createApp, prepareDatabase } from './startup.js';

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    if (e instanceof EnvError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const log = makeLogger(env.LOG_LEVEL);
  const db = await prepareDatabase(env, log);
  const app = await createApp(db.config, db.dataSource, log);
  await app.listen({ port: env.PORT, host: '0.0.0.0' });
  log.info(`listening on http://localhost:${env.PORT} (API docs at /docs)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing requests and stopping`);
    try {
      await app.close();
    } finally {
      await db.close();
      log.info('stopped');
      process.exit(0);
    }
  };
  leaveStopSignalsToService();
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => void stop(s));
}

main().catch((e: unknown) => {
  console.error('The service could not start:', e instanceof Error ? e.message : e);
  // E.g. a shipped file's bad lines, each with its number.
  const details = (e as { details?: unknown } | null)?.details;
  if (details !== undefined) console.error(JSON.stringify(details, null, 2));
  process.exit(1);
});
