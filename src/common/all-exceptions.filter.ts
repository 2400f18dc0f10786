import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-mapping.js';

/** The one exception filter: every error leaves as `{ error: { code, message, details } }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapError(exception, request?.id);
    if (mapped.unexpected) {
      this.logger.error({ err: exception, reqId: request?.id, url: request?.url }, 'unexpected error');
    }
    if (mapped.headers) void reply.headers(mapped.headers);
    // An error that tells when to come back (e.g. LOGIN_THROTTLED) says so in the standard header too.
    const retryAfter = (mapped.body.error.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(mapped.status).send(mapped.body);
  }
}
