import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { loadEnv } from '../../src/config/env.js';
import { createApp, prepareDatabase } from '../../src/startup.js';
import { scratchDatabase, TEST_DEMO_PASSWORD } from './database.js';
import { FIXTURE_WORKFLOWS, FixtureWorkflowModule } from './workflow-fixtures.js';
import type { Type } from '@nestjs/common';

export interface TestApp {
  app: NestFastifyApplication;
  dataSource: DataSource;
  databaseUrl: string;
  jwtSecret: string;
  http(): ReturnType<typeof request>;
  /** Stops the app and its pool, keeping the database (a server process going away). */
  stop(): Promise<void>;
  /** Logs a demo user in and answers the bearer token. */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the real application on its own database cloned from the migrated, seeded template. */
export async function startTestApp(
  extraEnv: Record<string, string> = {},
  options: { databaseUrl?: string; modules?: Type[] } = {},
): Promise<TestApp> {
  const db = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => undefined }
    : await scratchDatabase(true);
  const env = loadEnv({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    DEMO_PASSWORD: TEST_DEMO_PASSWORD,
    DB_POOL_SIZE: '5',
    WORKFLOWS_DIR: `workflows,${FIXTURE_WORKFLOWS}`,
    TIMER_POLL_SECONDS: '1',
    // Tests move the clock and run the sweep themselves (helpers/timers.ts): none fires a timer mid-test.
    TIMER_SWEEP_SECONDS: '86400',
    AUDIT_SEAL_KEY: 'test-audit-seal-key-of-32-characters-or-more',
    ...extraEnv,
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const prepared = await prepareDatabase(env, log);
  const app = await createApp(
    prepared.config,
    prepared.dataSource,
    log,
    options.modules ?? [FixtureWorkflowModule],
  );
  await app.getHttpAdapter().getInstance().ready();
  // One listening server for the whole file: supertest's own (one per request, closed after it) left a
  // request sent while another was blocked in the database hanging now and then.
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const http = () => request(base);
  const tokens = new Map<string, string>();
  return {
    app,
    dataSource: prepared.dataSource,
    databaseUrl: db.url,
    jwtSecret: prepared.config.jwtSecret,
    http,
    async token(username: string) {
      const cached = tokens.get(username);
      if (cached) return cached;
      const res = await http().post('/auth/login').send({ username, password: TEST_DEMO_PASSWORD });
      if (res.status !== 200)
        throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      tokens.set(username, res.body.accessToken);
      return res.body.accessToken as string;
    },
    async stop() {
      await app.close();
      await prepared.close();
    },
    async close() {
      await app.close();
      await prepared.close();
      await db.drop();
    },
  };
}
