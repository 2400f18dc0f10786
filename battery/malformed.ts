/*
 * Malformed inputs generated from the OpenAPI document: for every route, bodies whose fields get hostile values
 * (NUL bytes, huge and non-finite numbers, wrong types, explicit nulls, long strings, lone surrogates, deep
 * nesting), broken JSON, hostile path segments and query values, oversized headers. The order is shuffled by a seed
 * (BATTERY_SEED), so that a run can be replayed: the same seed gives the same inputs in the same order.
 */
import { randomUUID } from 'node:crypto';
import type { Fixtures } from './fixtures.js';
import { validBody, type Route, type RouteTable } from './openapi.js';

export interface MalformedRequest {
  what: string;
  /** The hostile input alone, without the route. */
  input: string;
  /** The route, and the body field the input went into. */
  where: string;
  method: string;
  path: string;
  user: string | null;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** mulberry32: small, fast, good enough to spread inputs; seeded for replay. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deep = (n: number, open: string, close: string, inner = '1') =>
  open.repeat(n) + inner + close.repeat(n);

/** Hostile JSON values, as raw JSON text (some are not what JSON.stringify could produce). */
const VALUES: [string, string][] = [
  ['NUL byte', JSON.stringify('\u0000')],
  ['NUL inside text', JSON.stringify('正常\u0000文本')],
  ['lone surrogate', '"\\ud800"'],
  ['reversed-text control', JSON.stringify('\u202eabc')],
  ['emoji', JSON.stringify('😀👨‍👩‍👧')],
  ['long string 100k', JSON.stringify('长'.repeat(100_000))],
  ['empty string', '""'],
  ['whitespace only', '"   "'],
  ['SQL text', JSON.stringify("' OR 1=1 --")],
  ['2^31', String(2 ** 31)],
  ['2^53 + 2', '9007199254740994'],
  ['1e308', '1e308'],
  ['-1e308', '-1e308'],
  ['1e999 (infinite)', '1e999'],
  ['-1', '-1'],
  ['0.5', '0.5'],
  ['-0', '-0'],
  ['tiny 1e-320', '1e-320'],
  ['null', 'null'],
  ['true', 'true'],
  ['empty array', '[]'],
  ['empty object', '{}'],
  ['array of nulls', '[null,null]'],
  ['array of 10k', JSON.stringify(Array.from({ length: 10_000 }, (_, i) => i))],
  ['nested arrays 2k deep', deep(2000, '[', ']')],
  ['nested objects 2k deep', deep(2000, '{"a":', '}')],
  ['number as text', '"12"'],
  ['date 2027-02-30', '"2027-02-30"'],
  ['date 0000-01-01', '"0000-01-01"'],
  ['date 99999-01-01', '"99999-01-01"'],
  ['nil uuid', '"00000000-0000-0000-0000-000000000000"'],
  ['uuid with NUL', JSON.stringify(`${randomUUID()}\u0000`)],
  ['object with __proto__', '{"__proto__":{"admin":true}}'],
];

/** Whole bodies that are not what any route takes. */
const BODIES: [string, string][] = [
  ['JSON 10k deep (arrays)', deep(10_000, '[', ']')],
  ['JSON 10k deep (objects)', deep(10_000, '{"a":', '}')],
  ['JSON 100k deep', deep(100_000, '[', ']')],
  ['truncated JSON', '{"a":'],
  ['a JSON array', '[1,2,3]'],
  ['a JSON string', '"text"'],
  ['a JSON number', '42'],
  ['JSON null', 'null'],
  ['NUL in a key', '{"a\\u0000b":1}'],
  ['NUL byte raw', '{"a":"\u0000"}'],
  ['duplicate keys', '{"a":1,"a":2}'],
  ['byte-order mark', '\ufeff{}'],
  ['empty body', ''],
];

/** Hostile path segments (for `{id}` and the like), already URL-encoded where needed. */
const SEGMENTS: [string, string][] = [
  ['NUL', '%00'],
  ['uuid + NUL', `${randomUUID()}%00`],
  ['long 5000', 'a'.repeat(5000)],
  ['1e308', '1e308'],
  ['-1', '-1'],
  ['unicode', encodeURIComponent('社区😀')],
  ['traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['upper-case uuid', randomUUID().toUpperCase()],
  ['bad percent', '%E0%A4%A'],
  ['overlong UTF-8', '%C0%AF'],
  ['URL of 100 KB', 'u'.repeat(100_000)],
];

/** Hostile query values. */
const QUERY: [string, string][] = [
  ['NUL', '%00'],
  ['long 5000', 'q'.repeat(5000)],
  ['1e308', '1e308'],
  ['2^31', String(2 ** 31)],
  ['-1', '-1'],
  ['array', 'a&$name=b'],
  ['unicode', encodeURIComponent('😀')],
  ['bad percent', '%ZZ'],
  ['date 2027-02-30', '2027-02-30'],
  ['SQL', encodeURIComponent("' OR 1=1 --")],
];

/** Hostile headers. */
const HEADERS: [string, Record<string, string>][] = [
  ['x-request-id 5000 long', { 'x-request-id': 'r'.repeat(5000) }],
  ['x-request-id 300 long', { 'x-request-id': 'r'.repeat(300) }],
  ['x-request-id non-ASCII (latin-1)', { 'x-request-id': 'caf\u00e9' }],
  ['content-type text/plain', { 'content-type': 'text/plain' }],
  ['content-type json; charset=latin1', { 'content-type': 'application/json; charset=latin1' }],
  ['accept-language long', { 'accept-language': 'zh-CN,'.repeat(1000) }],
  ['a header of 64 KB', { 'x-filler': 'h'.repeat(65_536) }],
];

/** The fixture object each kind of path names (so inputs reach the services, not only the 404 of a missing id). */
function realParams(route: Route, f: Fixtures): Record<string, string> {
  const p = route.path;
  const id = p.startsWith('/tasks/')
    ? f.task
    : p.startsWith('/workflow-instances/')
      ? f.instance
      : p.includes('/units/')
        ? f.unit['339901-WJ']
        : p.includes('/leading-groups/')
          ? f.unit['339901-LG']
          : p.startsWith('/admin/users/')
            ? f.account
            : p.startsWith('/applications/')
              ? f.application
              : p.startsWith('/admitted-items/')
                ? f.item
                : p.startsWith('/funding-transfers/')
                  ? f.transfer
                  : randomUUID();
  return { id, attachmentId: f.attachment, day: '2027-10-11' };
}

/**
 * Every route × every hostile input that applies to it (each body field × each value, each broken body, each path
 * segment, each query parameter × each value, each header), taken in a seeded order; the quick tier keeps every
 * fifth. Half of them name the fixture's real objects, half missing ones.
 */
export function malformedRequests(
  table: RouteTable,
  f: Fixtures,
  quick: boolean,
  userFor: (route: Route) => string,
): MalformedRequest[] {
  const out: MalformedRequest[] = [];
  for (const route of table.routes) {
    if (route.key === 'POST /auth/logout') continue; // it takes no input, and would end the sender's session
    const user = route.public ? null : userFor(route);
    const base = `${route.method} ${route.path}`;
    const real = realParams(route, f);
    const fill = (hostile?: string) =>
      route.path.replace(
        /\{(\w+)\}/g,
        (_, name: string) =>
          hostile ?? encodeURIComponent(out.length % 2 || name === 'day' ? real[name] : randomUUID()),
      );
    const valid = route.body ? (validBody(table, route, f) as Record<string, unknown>) : undefined;
    const add = (what: string, path: string, rawBody?: string, headers?: Record<string, string>) =>
      out.push({
        what: `${base} ${what}`,
        input: what,
        where: `${base}${/^body\.(\w+)/.exec(what)?.[0].slice(4) ?? ''}`,
        method: route.method,
        path,
        user,
        rawBody,
        headers,
      });
    if (valid) {
      for (const field of table.fields(route))
        for (const [label, value] of VALUES) {
          const rest = Object.entries(valid).filter(([k]) => k !== field);
          const rawBody = `{${[...rest.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`), `${JSON.stringify(field)}:${value}`].join(',')}}`;
          add(`body.${field} = ${label}`, fill(), rawBody);
        }
      for (const [label, rawBody] of BODIES) add(`body: ${label}`, fill(), rawBody);
    }
    if (route.pathParams.length)
      for (const [label, segment] of SEGMENTS) add(`path: ${label}`, fill(segment));
    for (const q of route.query)
      for (const [label, value] of QUERY)
        add(`?${q.name} = ${label}`, `${fill()}?${q.name}=${value.replace('$name', q.name)}`);
    for (const [label, headers] of HEADERS)
      add(`header: ${label}`, fill(), valid ? JSON.stringify(valid) : undefined, headers);
  }
  const rnd = random(Number(process.env.BATTERY_SEED ?? 9));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return quick ? out.filter((_, i) => i % 5 === 0) : out;
}
