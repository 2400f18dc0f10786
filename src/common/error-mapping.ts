import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
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
  /** Response headers that go with the error. */
  headers?: Record<string, string>;
}

/** Seconds a client is told to wait (Retry-After) before trying again while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

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
    const mapped = make(exception.code, exception.details, r.message, exception.getStatus());
    return exception.code === 'DATABASE_UNAVAILABLE' ? unavailable(mapped) : mapped;
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
  if (e && isDatabaseUnavailable(e))
    return { ...unavailable(make('DATABASE_UNAVAILABLE')), unexpected: true };
  // PostgreSQL gave up one of two transactions that touched the same rows: the caller may simply retry.
  if (e && (e.code === '40001' || e.code === '40P01')) return make('CONCURRENT_UPDATE');
  // A unique constraint refused a row another request created at the same moment: what it guards is taken.
  if (e && e.code === '23505') return make(TAKEN_BY_CONSTRAINT[String(e.constraint)] ?? 'CONCURRENT_UPDATE');
  return {
    ...make('INTERNAL_ERROR', undefined, undefined, HttpStatus.INTERNAL_SERVER_ERROR),
    unexpected: true,
  };
}

function unavailable(mapped: MappedError): MappedError {
  return { ...mapped, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } };
}

/** Socket errors: the server is gone, unreachable or cut the connection. */
const CONNECTION_ERRORS = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'];
const CONNECTION_ERRORS_TOO = ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'];
/**
 * PostgreSQL's: shutting down or starting (57P01–57P03), cancelled by a timeout or an administrator
 * (57014), an idle transaction or session cut (25P03, 57P05), too many connections (53300), any connection
 * exception (08…).
 */
const SERVER_CODES = ['57P01', '57P02', '57P03', '57P05', '57014', '25P03', '53300'];
/**
 * node-postgres's own words for a connection it lost, gave up on or could no longer follow: among them a
 * message from the server that answers no query of the client's ("Received unexpected parseComplete
 * message from backend"), after which the client drops the connection and fails whatever was queued on
 * it, and a connection that did not open in time ("timeout expired", the client's own timer).
 */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection ended|the database system is (starting up|shutting down|in recovery mode)|^Received unexpected \w+ message from backend|^timeout expired$/i;

/**
 * Whether an error means the database cannot be used now (down, unreachable, stopped answering, a
 * connection cut) rather than anything about the request: such a request may be tried again later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown };
  // TypeORM lets go of a connection that failed; the statements after it in the request meet this.
  if (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  const code = String(e.code);
  if (CONNECTION_ERRORS.includes(code) || CONNECTION_ERRORS_TOO.includes(code)) return true;
  // Classes 08 (connection), 53 (insufficient resources: disk full, out of memory) and 58 (system, I/O).
  if (SERVER_CODES.includes(code) || /^(08|53|58)[0-9A-Z]{3}$/.test(code)) return true;
  if (MESSAGES.test(String(e.message))) return true;
  return e.driverError !== undefined && e.driverError !== error && isDatabaseUnavailable(e.driverError);
}

function specificClientError(error: unknown): ErrorCode | undefined {
  const e = error as { code?: string; statusCode?: number; name?: string } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string' && BY_FASTIFY_CODE[e.code]) return BY_FASTIFY_CODE[e.code];
  if (e.name === 'SyntaxError' && e.statusCode === 400) return 'MALFORMED_JSON';
  return undefined;
}
