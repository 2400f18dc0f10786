import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-mapping.js';
import { AppError } from './errors.js';
import { otherMethodsOf } from './http-errors.js';

/** The one exception filter: every error leaves as `{ error: { code, message, details } }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let mapped = mapError(exception, request?.id);
    // No route for this method: a path that answers to other methods says which (405 with Allow), else 404.
    if (mapped.body.error.code === 'NOT_FOUND' && !(exception instanceof AppError) && request) {
      const allowed = request.routeOptions?.url === undefined ? otherMethodsOf(request) : [];
      if (allowed.length) {
        mapped = mapError(new AppError('METHOD_NOT_ALLOWED', { allowed }), request.id);
        void reply.header('allow', allowed.join(', '));
      }
    }
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
