import { QueryFailedError } from 'typeorm';
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
});
