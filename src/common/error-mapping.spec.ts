import { QueryFailedError } from 'typeorm';
import { AppError } from './errors.js';
import { mapError } from './error-mapping.js';

describe('mapError', () => {
  it.each(['40001', '40P01'])(
    'given PostgreSQL gave up a transaction (%s), then the caller gets 409 CONCURRENT_UPDATE to retry, not a 500',
    (code) => {
      const driverError = Object.assign(new Error('could not serialize access'), { code });
      const mapped = mapError(new QueryFailedError('UPDATE x', [], driverError), 'req-1');
      expect(mapped.status).toBe(409);
      expect(mapped.body.error.code).toBe('CONCURRENT_UPDATE');
      expect(mapped.body.error.message).not.toMatch(/serialize/);
      expect(mapped.unexpected).toBe(false);
    },
  );

  it.each([
    ['ux_app_user_username', 'USERNAME_TAKEN'],
    ['ux_org_unit_code', 'UNIT_CODE_TAKEN'],
    ['PK_leading_group_member', 'CONCURRENT_UPDATE'],
  ])(
    'given a unique violation (23505) of %s by a concurrent request, then 409 %s, not a 500',
    (constraint, code) => {
      const driverError = Object.assign(new Error(`duplicate key value violates "${constraint}"`), {
        code: '23505',
        constraint,
      });
      const mapped = mapError(new QueryFailedError('INSERT x', [], driverError), 'req-3');
      expect(mapped.status).toBe(409);
      expect(mapped.body.error.code).toBe(code);
      expect(JSON.stringify(mapped.body)).not.toMatch(/duplicate|ux_|PK_/);
      expect(mapped.unexpected).toBe(false);
    },
  );

  it('given an error nobody foresaw, then 500 INTERNAL_ERROR without its message', () => {
    const mapped = mapError(new Error('secret detail'), 'req-2');
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(mapped.body)).not.toMatch(/secret/);
  });

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['ECONNRESET', 'read ECONNRESET'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['57014', 'canceling statement due to statement timeout'],
    ['53100', 'could not extend file: No space left on device'],
    ['53200', 'out of memory'],
    ['58030', 'could not write to file: I/O error'],
    [undefined, 'Connection terminated unexpectedly'],
    [undefined, 'Query read timeout'],
    [undefined, 'timeout exceeded when trying to connect'],
    ['57P05', 'terminating connection due to idle-session timeout'],
    [undefined, 'Received unexpected parseComplete message from backend.'],
    [undefined, 'Received unexpected dataRow message from backend.'],
    [undefined, 'timeout expired'],
  ])(
    'given the database cannot be used (%s %s), then 503 DATABASE_UNAVAILABLE with Retry-After',
    (code, message) => {
      const driverError = Object.assign(new Error(message), code ? { code } : {});
      for (const thrown of [driverError, new QueryFailedError('SELECT 1', [], driverError)]) {
        const mapped = mapError(thrown, 'req-3');
        expect(mapped.status).toBe(503);
        expect(mapped.body.error.code).toBe('DATABASE_UNAVAILABLE');
        expect(Number(mapped.headers?.['retry-after'])).toBeGreaterThan(0);
        expect(JSON.stringify(mapped.body)).not.toContain(message);
      }
    },
  );

  it('given a service answers DATABASE_UNAVAILABLE itself, then it carries Retry-After too', () => {
    const mapped = mapError(new AppError('DATABASE_UNAVAILABLE'), 'req-4');
    expect(mapped.status).toBe(503);
    expect(mapped.headers?.['retry-after']).toBeDefined();
  });
});
