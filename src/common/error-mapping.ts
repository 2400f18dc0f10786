import { HttpException, HttpStatus } from '@nestjs/common';
import { AppError, ERRORS, type ErrorBody, type ErrorCode } from './errors.js';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
};

const BY_FASTIFY_CODE: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Unique constraints whose violation means the client chose a name someone else has just taken. */
const TAKEN_BY_CONSTRAINT: Record<string, ErrorCode> = {
  ux_app_user_username: 'USERNAME_TAKEN',
  ux_org_unit_code: 'UNIT_CODE_TAKEN',
};

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when the error was not foreseen: log it with its stack, show the client nothing of it. */
  unexpected: boolean;
}

/** Turns anything thrown into the one public error shape; never leaks a stack or an internal message. */
export function mapError(exception: unknown, requestId?: string): MappedError {
  const make = (code: ErrorCode, details?: unknown, message?: string, status?: number): MappedError => ({
    status: status ?? ERRORS[code][0],
    body: {
      error: {
        code,
        message: message ?? ERRORS[code][1],
        ...(details !== undefined ? { details } : {}),
        requestId,
      },
    },
    unexpected: false,
  });

  if (exception instanceof AppError) {
    const r = exception.getResponse() as { message: string };
    return make(exception.code, exception.details, r.message, exception.getStatus());
  }
  if (exception instanceof HttpException) {
    // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException; map by the original.
    const cause = specificClientError(exception.cause);
    if (cause) return make(cause);
    const status = exception.getStatus();
    const code = BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    return { ...make(code, undefined, undefined, status), unexpected: status >= 500 };
  }
  const specific = specificClientError(exception);
  if (specific) return make(specific);
  const e = exception as
    { code?: string; statusCode?: number; name?: string; constraint?: string } | undefined;
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return make(BY_STATUS[e.statusCode] ?? 'BAD_REQUEST', undefined, undefined, e.statusCode);
  }
  if (e && isDatabaseDown(e)) return { ...make('DATABASE_UNAVAILABLE'), unexpected: true };
  // PostgreSQL gave up one of two transactions that touched the same rows: the caller may simply retry.
  if (e && (e.code === '40001' || e.code === '40P01')) return make('CONCURRENT_UPDATE');
  // A unique constraint refused a row another request created at the same moment: what it guards is taken.
  if (e && e.code === '23505') return make(TAKEN_BY_CONSTRAINT[String(e.constraint)] ?? 'CONCURRENT_UPDATE');
  return {
    ...make('INTERNAL_ERROR', undefined, undefined, HttpStatus.INTERNAL_SERVER_ERROR),
    unexpected: true,
  };
}

function isDatabaseDown(e: { code?: string; message?: string }): boolean {
  return (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', '57P01', '57P03', '53300'].includes(String(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(String(e.message))
  );
}

function specificClientError(error: unknown): ErrorCode | undefined {
  const e = error as { code?: string; statusCode?: number; name?: string } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string' && BY_FASTIFY_CODE[e.code]) return BY_FASTIFY_CODE[e.code];
  if (e.name === 'SyntaxError' && e.statusCode === 400) return 'MALFORMED_JSON';
  return undefined;
}
