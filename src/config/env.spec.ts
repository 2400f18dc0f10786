import { EnvError, loadEnv } from './env.js';

describe('environment', () => {
  it('given nothing set, then the documented defaults apply', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_LOCK_MINUTES: 30,
      JWT_TTL_SECONDS: 900,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('given a bad PORT, then start-up stops with a message naming PORT and its value', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(EnvError);
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadEnv({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('given several bad values, then each is named', () => {
    try {
      loadEnv({ LOGIN_MAX_FAILURES: '0', SEED_DEMO: 'yes', JWT_SECRET: 'short' });
      throw new Error('no error');
    } catch (e) {
      expect((e as Error).message).toMatch(/LOGIN_MAX_FAILURES/);
      expect((e as Error).message).toMatch(/SEED_DEMO/);
      expect((e as Error).message).toMatch(/JWT_SECRET/);
    }
  });

  it('given numbers as strings, then they become numbers; empty strings count as unset', () => {
    const env = loadEnv({ PORT: '8080', LOGIN_LOCK_MINUTES: '5', DATABASE_URL: '', ENGINE_CACHE_SIZE: '' });
    expect(env.PORT).toBe(8080);
    expect(env.LOGIN_LOCK_MINUTES).toBe(5);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ENGINE_CACHE_SIZE).toBe(200);
  });
});
