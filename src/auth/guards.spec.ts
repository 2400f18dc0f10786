import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { AppError } from '../common/errors.js';
import { JwtAuthGuard } from './guards.js';

describe('the token guard', () => {
  const guard = new JwtAuthGuard({} as Reflector);
  const context = {
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization: 'Bearer x.y.z' } }) }),
  } as unknown as ExecutionContext;

  it('given the session check failed for a reason of its own (not the token), then that error goes on, not 401', () => {
    const diskFull = Object.assign(new Error('could not extend file'), { code: '53100' });
    expect(() => guard.handleRequest(diskFull, false, undefined, context)).toThrow(diskFull);
  });

  it('given a token refused, then 401 TOKEN_INVALID', () => {
    try {
      guard.handleRequest(null, false, { name: 'JsonWebTokenError' }, context);
      throw new Error('no error');
    } catch (e) {
      expect((e as AppError).code).toBe('TOKEN_INVALID');
    }
  });
});
