import { session, signOut } from './session';

/** An error as the API answers it: `{ error: { code, message, details } }`, the message Chinese first. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** One page of a list, as every list route answers it. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

const OFFLINE = '网络连接失败，请检查网络后重试。The connection failed; check the network and try again.';

/** Called when a logged-in request answers 401 (expired or revoked): the router sends the user to login. */
let onUnauthorized: (message: string) => void = () => undefined;
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | undefined>;

/** Calls the API on the same origin with the session's token; throws ApiError with the API's own message. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { query?: Query; body?: unknown } = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {}))
    if (v !== undefined && v !== '') params.set(k, `${v}`);
  const url = params.size ? `${path}?${params}` : path;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const sentToken = session.token;
  if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', OFFLINE);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const error = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ??
        `服务暂时无法处理请求（${res.status}），请稍后重试。The service could not answer (${res.status}); try again later.`,
      e?.details,
    );
    if (res.status === 401 && sentToken) {
      signOut();
      onUnauthorized(error.message);
    }
    throw error;
  }
  return body as T;
}
