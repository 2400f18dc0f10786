import { type ExecutionContext, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthedRequest } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './decorators.js';
import { Permission } from './permissions.js';

/** Global: every route needs a valid token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    // Node keeps only the first of repeated Authorization headers; a proxy may keep another: refuse both.
    const rawHeaders = context.switchToHttp().getRequest<AuthedRequest>().raw.rawHeaders;
    if (rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length > 1)
      throw new AppError('TOKEN_INVALID', { reason: 'more than one Authorization header' });
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown, context: ExecutionContext): T {
    // An error while the session was checked says nothing against the token: it is answered as what it is
    // (503 while the database is away, 500 otherwise), never as a 401 that would log the user out.
    if (err) throw err;
    if (user) return user;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const name = (info as { name?: string } | undefined)?.name;
    if (!req.headers.authorization) throw new AppError('AUTH_REQUIRED');
    if (name === 'TokenExpiredError') throw new AppError('TOKEN_EXPIRED');
    throw new AppError('TOKEN_INVALID');
  }
}

/** Global: the caller must hold every permission the route requires. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const required =
      this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const user = context.switchToHttp().getRequest<AuthedRequest>().user;
    if (!user) throw new AppError('AUTH_REQUIRED');
    if (!required.every((p) => user.permissions.has(p))) {
      throw new AppError('FORBIDDEN', { required });
    }
    return true;
  }
}
