import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { mapError } from './error-mapping.js';
import { AppError, type ErrorCode } from './errors.js';

/** The longest request target (path and query) served; a longer one answers 414 URI_TOO_LONG. */
export const MAX_URL_LENGTH = 8192;

/**
 * Fastify's router answers a malformed URL (bad % escape) or an over-long route parameter before any
 * Nest code runs: these answers leave in the one error shape too.
 */
export function frameworkErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error, String(request.id));
  void reply.status(mapped.status).header('x-request-id', request.id).send(mapped.body);
}

/** An onRequest hook: a request target over MAX_URL_LENGTH answers 414 before anything reads it. */
export async function refuseLongUrls(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.url.length > MAX_URL_LENGTH) {
    const mapped = mapError(new AppError('URI_TOO_LONG', { maxLength: MAX_URL_LENGTH }), String(request.id));
    await reply.status(mapped.status).send(mapped.body);
  }
}

/**
 * Node's HTTP parser refuses a request it cannot read (headers over the size limit, a malformed line)
 * before Fastify sees it; the answer is written on the socket, in the one error shape.
 */
export function clientErrorHandler(
  err: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let code: ErrorCode = 'BAD_REQUEST';
  let status = 400;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    // The request line counts toward the header limit: an over-long address is told as such.
    const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : Buffer.alloc(0);
    const firstLine = packet.subarray(0, MAX_URL_LENGTH + 32).toString('latin1');
    const target = /^[A-Z]+ (\S*)/.exec(firstLine)?.[1];
    const longTarget = target !== undefined && (target.length > MAX_URL_LENGTH || !/\r?\n/.test(firstLine));
    code = longTarget ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE';
    status = code === 'URI_TOO_LONG' ? 414 : 431;
  }
  const requestId = randomUUID();
  const body = JSON.stringify(mapError(new AppError(code), requestId).body);
  if (!socket.writable) {
    socket.destroy(err);
    return;
  }
  // end(), not write() and destroy(): a destroyed socket may drop the answer still buffered on a busy one.
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
  // A client that never reads its answer does not keep the socket.
  setTimeout(() => socket.destroy(), 5000).unref();
}
