import pino from 'pino';
import { loadEnv } from '../src/config/env.js';
import { bootstrapDeployment } from '../src/org/bootstrap.js';
import { createApp, prepareDatabase } from '../src/startup.js';
import { scratchDatabase } from './helpers/database.js';
import request from 'supertest';

describe('bootstrapping a new deployment (no demo data)', () => {
  it('given an empty database, then the city and the three administrators exist once, and sysadmin can log in', async () => {
    const db = await scratchDatabase(false);
    const env = loadEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', WORKFLOWS_DIR: 'workflows' });
    const prepared = await prepareDatabase(env, pino({ level: 'silent' }));
    try {
      await expect(
        bootstrapDeployment(prepared.dataSource, { cityCode: '3301', cityName: '杭州市', password: 'short' }),
      ).rejects.toThrow(/8/);
      await bootstrapDeployment(prepared.dataSource, {
        cityCode: '3301',
        cityName: '杭州市',
        password: 'Start2026a',
      });
      await expect(
        bootstrapDeployment(prepared.dataSource, {
          cityCode: '3302',
          cityName: '宁波市',
          password: 'Start2026a',
        }),
      ).rejects.toThrow(/already/);
      const app = await createApp(prepared.config, prepared.dataSource, pino({ level: 'silent' }));
      await app.getHttpAdapter().getInstance().ready();
      try {
        const res = await request(app.getHttpServer())
          .post('/auth/login')
          .send({ username: 'sysadmin', password: 'Start2026a' });
        expect(res.status).toBe(200);
        expect(res.body.user).toMatchObject({
          roles: ['SYSTEM_ADMIN'],
          unit: { code: '3301', kind: 'CITY' },
        });
        const demo = await request(app.getHttpServer())
          .post('/auth/login')
          .send({ username: 'office', password: 'Start2026a' });
        expect(demo.status).toBe(401);
      } finally {
        await app.close();
      }
    } finally {
      await prepared.close();
      await db.drop();
    }
  });
});
