import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { ErrorCode } from '../common/errors.js';
import { ERRORS } from '../common/errors.js';
import { type Permission } from './permissions.js';

export const IS_PUBLIC = 'cwa:public';
export const REQUIRED_PERMISSIONS = 'cwa:permissions';

function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(ERRORS[c][0], [...(byStatus.get(ERRORS[c][0]) ?? []), c]);
  return [...byStatus].map(([status, list]) =>
    ApiResponse({
      status,
      description: `Error codes: ${list.join(', ')}`,
      schema: { $ref: '#/components/schemas/ErrorBody' },
    }),
  );
}

/** No login needed. Documents the route (its summary and, optionally, the rule it answers by) and the errors it may answer. */
export function Public(summary: string, errors: ErrorCode[] = [], description?: string) {
  return applyDecorators(
    SetMetadata(IS_PUBLIC, true),
    ApiOperation({
      summary,
      description: description ? `Public: no login needed.\n\n${description}` : 'Public: no login needed.',
    }),
    ApiExtension('x-permissions', []),
    ...errorResponses(['VALIDATION_FAILED', ...errors]),
  );
}

/**
 * Logged-in users holding every listed permission (none listed: any logged-in user). Documents the route,
 * its permission and the errors it may answer in the OpenAPI document.
 */
export function Requires(summary: string, permissions: Permission[], errors: ErrorCode[] = []) {
  const who = permissions.length ? `Permission: ${permissions.join(', ')}.` : 'Any logged-in user.';
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, permissions),
    ApiBearerAuth(),
    ApiOperation({ summary, description: who }),
    ApiExtension('x-permissions', permissions),
    ...errorResponses([
      'AUTH_REQUIRED',
      'TOKEN_INVALID',
      'TOKEN_EXPIRED',
      'VALIDATION_FAILED',
      ...(permissions.length ? (['FORBIDDEN'] as ErrorCode[]) : []),
      ...errors,
    ]),
  );
}
