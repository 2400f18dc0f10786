import { type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Observable } from 'rxjs';
import { AppError } from './errors.js';
import { boundedProblems, unknownField } from './validation.js';

/** Whether the route's handler reads a body (has a @Body() parameter): found once per handler. */
const readsBody = new WeakMap<object, boolean>();

function handlerReadsBody(context: ExecutionContext): boolean {
  const handler = context.getHandler();
  let known = readsBody.get(handler);
  if (known === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as object;
    known = Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
    readsBody.set(handler, known);
  }
  return known;
}

/**
 * A route that takes no body (claim a task, log out …) refuses one that says something, as a route
 * with a body refuses a field it does not know (400 VALIDATION_FAILED naming each): a note or reason sent to it
 * would otherwise be dropped unseen while the client believes it stored. No body, `{}` and `null` pass. Any route's
 * body that is not a JSON object (a list, a text, a number) is refused the same way: every DTO is an object.
 */
export class RefuseUnreadBody implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (body === undefined || body === null) return next.handle();
    const reads = handlerReadsBody(context);
    if (typeof body !== 'object' || Array.isArray(body))
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'body',
          problems: [
            reads
              ? '请求内容须为一个 JSON 对象（{…}）。The request body must be a JSON object.'
              : '此操作不需要请求内容，请不要发送。This operation takes no request body; send none.',
          ],
        },
      ]);
    if (!reads) {
      const keys = Object.keys(body);
      if (keys.length)
        throw new AppError(
          'VALIDATION_FAILED',
          boundedProblems(keys.map((field) => ({ field, problems: [unknownField(field)] }))),
        );
    }
    return next.handle();
  }
}
