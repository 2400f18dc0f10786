import { clerkDetails, clerkText, detailProblems } from './messages';
import { session, signOut } from './session';

/** An error as the API answers it: `{ error: { code, message, details } }`, its texts as a clerk reads them. */
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

const OFFLINE = '网络连接失败，请检查网络后重试。';
const TIMED_OUT = '请求超时，请检查网络后重试。';

/** How long a request may take before the console gives up on it (no spinner spins forever). */
export const REQUEST_TIMEOUT_MS = 30_000;

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
  // `params.size` is missing on older Chromium-based browsers (before 113): it would drop every query.
  const search = params.toString();
  const url = search ? `${path}?${search}` : path;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const sentToken = session.token;
  if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
  const controller = new AbortController();
  let timedOut = false;
  // A timer of the browser, not of the domain: the request is abandoned, the user told to retry.
  const timer = globalThis.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, REQUEST_TIMEOUT_MS);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
    });
    text = await res.text();
  } catch {
    if (timedOut) throw new ApiError(0, 'TIMEOUT', TIMED_OUT);
    throw new ApiError(0, 'NETWORK', OFFLINE);
  } finally {
    globalThis.clearTimeout(timer);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    // As a clerk reads it: the Chinese alone, without the request's field codes (messages.ts).
    const error = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      clerkText(e?.message ?? `服务暂时无法处理请求（${res.status}），请稍后重试。`),
      clerkDetails(e?.details),
    );
    if (res.status === 401 && sentToken) {
      signOut();
      onUnauthorized(error.message);
    }
    throw error;
  }
  return body as T;
}

/** The generic message of a VALIDATION_FAILED answer, and what a clerk reads instead when the fields show theirs. */
const FIX_FIELDS = '有填写不正确的项目，请按各项旁的提示修改。';

/**
 * The message to show for a failed call: the API's own message, '' for a 401 (the router goes back to login).
 * With `fieldsShown`, a validation answer whose problems are shown beside their fields says so in plain words.
 */
export function errorText(e: unknown, options: { fieldsShown?: boolean } = {}): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return '';
    if (e.code === 'VALIDATION_FAILED' && Array.isArray(e.details) && e.details.length) {
      if (options.fieldsShown) return FIX_FIELDS;
      // Not shown beside fields: the problems themselves, in the message.
      const problems = detailProblems(e.details);
      if (problems.length)
        return `提交的内容有误，请修改后重新提交：${problems.map((x) => x.replace(/[。；]+$/, '')).join('；')}。`;
    }
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Keeps only the newest of a page's loads: call it at the start of a load, and after each await ask the
 * returned function whether this load is still the newest (a slower older answer must not overwrite a newer one).
 */
export function latest(): () => () => boolean {
  let seq = 0;
  return () => {
    const mine = ++seq;
    return () => mine === seq;
  };
}

/** Every page of a list route, in order (for lists a page shows whole, such as a case's history). */
export async function allPages<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
  pageSize = 200,
): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const res = await api<Page<T>>('GET', path, { query: { ...query, page, pageSize } });
    all.push(...res.items);
    if (page * res.pageSize >= res.total || !res.items.length) return all;
  }
}
