import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Permission, Role } from '../auth/permissions.js';
import type { UnitKind } from '../org/org-unit.entity.js';

/** The logged-in user as every service sees it: who, which unit, what they may do and see. */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  sessionId: string;
  unitId: string;
  unitKind: UnitKind;
  unitPath: string;
  /** Path prefix of the part of the organization tree this user may see. */
  scopePath: string;
  roles: Role[];
  permissions: Set<Permission>;
}

/** Who did something, for the audit trail: a principal (or the system) and the request it came in. */
export interface Actor {
  principal?: Principal;
  requestId?: string;
  /**
   * Who acts when there is no principal yet: the user logging in (their login is their own act), or `null` for
   * someone unknown (a failed login is nobody's act: the name tried is in the record's data). Absent: the system.
   */
  unauthenticated?: { userId: string; username: string } | null;
}

export type AuthedRequest = FastifyRequest & { user?: Principal };

/** Injects the Actor of the current request. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return { principal: req.user, requestId: String(req.id) };
});
