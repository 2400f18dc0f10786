import { EnvError, loadEnv } from './env.js';

describe('environment', () => {
  it('given nothing set, then the documented defaults apply', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_LOCK_MINUTES: 30,
      LOGIN_ADDRESS_MAX_FAILURES: 20,
      LOGIN_ADDRESS_MINUTES: 15,
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

  it('given TRUST_PROXY, then proxy addresses and CIDRs are accepted and anything else names the variable', () => {
    expect(loadEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY).toBe(
      '10.0.0.0/8, 127.0.0.1,::1',
    );
    expect(loadEnv({}).TRUST_PROXY).toBeUndefined();
    expect(() => loadEnv({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY="true"/);
  });

  it('given numbers as strings, then they become numbers; empty strings count as unset', () => {
    const env = loadEnv({ PORT: '8080', LOGIN_LOCK_MINUTES: '5', DATABASE_URL: '', ENGINE_CACHE_SIZE: '' });
    expect(env.PORT).toBe(8080);
    expect(env.LOGIN_LOCK_MINUTES).toBe(5);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ENGINE_CACHE_SIZE).toBe(200);
  });
});
