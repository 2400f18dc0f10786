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
 * The query parameters whose % escapes decode to no text (a broken escape %zz or %, bytes that are no UTF-8 — a
 * name encoded as GBK — or half of a surrogate pair): the query parser keeps them as literal text, so 养狗证明 sent
 * in GBK was checked as "%D1%F8…" and answered not listed. Named by their (decodable) names, or `query`.
 */
export function undecodableQueryParts(url: string): string[] {
  const at = url.indexOf('?');
  if (at < 0 || !url.includes('%', at)) return [];
  const bad = new Set<string>();
  for (const pair of url.slice(at + 1).split('&')) {
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const decoded = (text: string): string | null => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        return null;
      }
    };
    const key = decoded(name);
    if (key === null || decoded(value) === null) bad.add(key || 'query');
  }
  return [...bad];
}

/** An onRequest hook: a query whose escapes decode to no text answers 400 BAD_URL naming each parameter. */
export async function refuseUndecodableQuery(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (reply.sent) return undefined;
  const parts = undecodableQueryParts(request.url);
  if (!parts.length) return undefined;
  const error = new AppError(
    'BAD_URL',
    parts.map((field) => ({
      field,
      problems: [
        `${field === 'query' ? '查询字符串' : `查询参数 ${field}`}的 % 编码无效（须为 UTF-8 的百分号编码，如 encodeURIComponent 所得；GBK 等编码不能识别）。${field === 'query' ? 'The query string' : `The query parameter ${field}`} has an invalid % escape; percent-encode UTF-8 (e.g. encodeURIComponent).`,
      ],
    })),
  );
  const mapped = mapError(error, String(request.id));
  return reply.status(mapped.status).send(mapped.body);
}

/** Node's HTTP parser's refusals (llhttp error codes) that say more than "bad request", in words a clerk can act on. */
const PARSER_REFUSALS: Record<string, { code: ErrorCode; status: number; message?: string }> = {
  HPE_INVALID_METHOD: {
    code: 'METHOD_NOT_ALLOWED',
    status: 405,
    message:
      '不支持的请求方法，请使用 GET、POST、PUT、PATCH 或 DELETE。Unknown request method; use GET, POST, PUT, PATCH or DELETE.',
  },
  HPE_INVALID_VERSION: {
    code: 'BAD_REQUEST',
    status: 400,
    message: '不支持该 HTTP 版本，请使用 HTTP/1.1。This HTTP version is not supported; use HTTP/1.1.',
  },
  HPE_INVALID_CONSTANT: {
    code: 'BAD_REQUEST',
    status: 400,
    message:
      '请求行格式有误（地址中含有未编码的空格？），请对地址做 URL 编码后重试。The request line is malformed (an unencoded space in the address?); percent-encode the address and try again.',
  },
  HPE_INVALID_HEADER_TOKEN: {
    code: 'BAD_REQUEST',
    status: 400,
    message:
      '请求头格式有误（名称中含有空格或不允许的字符），请检查请求头。A request header is malformed (a space or a character not allowed in its name); check the headers.',
  },
  HPE_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    status: 400,
    message:
      '请求头 Content-Length 须为整数（请求内容的字节数）。The Content-Length header must be a whole number (the body’s length in bytes).',
  },
  HPE_UNEXPECTED_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    status: 400,
    message:
      '请求同时带有 Content-Length 和 Transfer-Encoding，只能用其一。The request has both Content-Length and Transfer-Encoding; send only one.',
  },
  HPE_INVALID_TRANSFER_ENCODING: {
    code: 'BAD_REQUEST',
    status: 400,
    message:
      '请求头 Transfer-Encoding 不受支持，请使用 chunked 或 Content-Length。The Transfer-Encoding header is not supported; use chunked or Content-Length.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', status: 408 },
};

/**
 * Which part of a request target holds characters that are not URL-encoded (a Chinese query value typed into
 * curl): the query parameter's name, or `path`.
 */
export function unencodedParts(target: string): string[] {
  const [path, query] = [
    target.split('?')[0],
    target.includes('?') ? target.slice(target.indexOf('?') + 1) : '',
  ];
  const raw = (text: string) => /[^\x21-\x7e]/.test(text);
  const parts = raw(path) ? ['path'] : [];
  for (const pair of query.split('&')) {
    if (!raw(pair)) continue;
    const name = pair.split('=')[0];
    parts.push(name && !raw(name) ? name : 'query');
  }
  return parts.length ? [...new Set(parts)] : ['path'];
}

/** The request target in the first line of a raw request, read as UTF-8 (the bytes a client sent). */
function targetOf(packet: Buffer): string | undefined {
  const firstLine = packet
    .subarray(0, MAX_URL_LENGTH + 32)
    .toString('utf8')
    .split(/\r?\n/)[0];
  return /^[A-Z]+ (.*) HTTP\/\d\.\d$/.exec(firstLine)?.[1] ?? /^[A-Z]+ (\S*)/.exec(firstLine)?.[1];
}

/**
 * Node's HTTP parser refuses a request it cannot read (headers over the size limit, a malformed line, an address
 * with unencoded characters) before Fastify sees it; the answer is written on the socket, in the one error shape.
 */
export function clientErrorHandler(
  err: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : Buffer.alloc(0);
  let error = new AppError('BAD_REQUEST');
  let status = 400;
  const known = PARSER_REFUSALS[err.code ?? ''];
  if (known) {
    error = new AppError(known.code, undefined, known.message);
    status = known.status;
  } else if (err.code === 'HPE_INVALID_URL') {
    const target = targetOf(packet) ?? '';
    error = new AppError(
      'URL_NOT_ENCODED',
      unencodedParts(target).map((field) => ({
        field,
        problems: [
          `${field === 'path' ? '地址路径' : field === 'query' ? '查询字符串' : `查询参数 ${field}`}含有未编码的字符，请用百分号编码（如 encodeURIComponent）后发送。${field === 'path' ? 'The path' : field === 'query' ? 'The query string' : `The query parameter ${field}`} has characters that are not URL-encoded; percent-encode it (e.g. encodeURIComponent).`,
        ],
      })),
    );
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    // The request line counts toward the header limit: an over-long address is told as such.
    const firstLine = packet.subarray(0, MAX_URL_LENGTH + 32).toString('latin1');
    const target = /^[A-Z]+ (\S*)/.exec(firstLine)?.[1];
    const longTarget = target !== undefined && (target.length > MAX_URL_LENGTH || !/\r?\n/.test(firstLine));
    error = new AppError(longTarget ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE');
    status = longTarget ? 414 : 431;
  }
  const requestId = randomUUID();
  const body = JSON.stringify(mapError(error, requestId).body);
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
      (status === 405 ? 'Allow: GET, HEAD, POST, PUT, PATCH, DELETE\r\n' : '') +
      `Connection: close\r\n\r\n${body}`,
  );
  // A client that never reads its answer does not keep the socket.
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** The methods other than the request's that a path answers to (empty when it answers to none: a 404). */
export function otherMethodsOf(request: FastifyRequest): string[] {
  const path = request.url.split('?')[0];
  const server = request.server as unknown as {
    findRoute(o: { method: string; url: string }): unknown;
  };
  const answers = (method: string) => {
    try {
      return server.findRoute({ method, url: path }) !== null;
    } catch {
      return false;
    }
  };
  // A route of this method took the request and found nothing (e.g. a missing file): a 404, not a 405.
  if (answers(request.method)) return [];
  return ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => m !== request.method && answers(m));
}

/**
 * An onRequest hook: a body that has not all arrived `timeoutMs` after its headers is answered 408
 * REQUEST_TIMEOUT and its connection closed. Node's own request timeout stops at the headers: once a handler
 * reads the body, a client that sent 5 of its 100 bytes held the connection for as long as it liked.
 */
export function bodyDeadline(timeoutMs: number) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const raw = request.raw;
    const declared = raw.headers['content-length'];
    const hasBody =
      (declared !== undefined && declared !== '0') || raw.headers['transfer-encoding'] !== undefined;
    if (!hasBody || raw.complete) return done();
    const timer = setTimeout(() => {
      if (raw.complete || reply.raw.headersSent) return;
      const body = JSON.stringify(mapError(new AppError('REQUEST_TIMEOUT'), request.id).body);
      reply.raw.writeHead(408, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-request-id': request.id,
        connection: 'close',
      });
      reply.raw.end(body);
    }, timeoutMs);
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    done();
  };
}
