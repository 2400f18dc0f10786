/*
 * Token variants: each sends GET /auth/me with a token that must be refused (forged, altered, incomplete, out of
 * date, of an ended session, or sent in a way the service must not accept).
 */
import { createHmac } from 'node:crypto';
import { type Answer, type Api, JWT_SECRET, PASSWORD, rawRequest } from './harness.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function sign(header: Record<string, unknown>, payload: unknown, key: string | null = JWT_SECRET): string {
  const head = `${b64(header)}.${b64(payload)}`;
  if (key === null) return `${head}.`;
  const alg = ({ HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as Record<string, string>)[
    header.alg as string
  ];
  return `${head}.${createHmac(alg ?? 'sha256', key)
    .update(head)
    .digest('base64url')}`;
}

export interface TokenVariant {
  name: string;
  send(): Promise<Answer>;
}

export async function tokenVariants(api: Api): Promise<TokenVariant[]> {
  const login = async (username: string) =>
    (await api.call('POST', '/auth/login', { body: { username, password: PASSWORD } })).body
      .accessToken as string;
  const valid = await login('auditor');
  const claims = JSON.parse(Buffer.from(valid.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
  const other = JSON.parse(
    Buffer.from((await login('secadmin')).split('.')[1], 'base64url').toString(),
  ) as Record<string, unknown>;
  const loggedOut = await login('auditor');
  await api.call('POST', '/auth/logout', { token: loggedOut });
  const now = Math.floor(Date.now() / 1000);
  const H = { alg: 'HS256', typ: 'JWT' };
  const without = (...names: string[]) =>
    Object.fromEntries(Object.entries(claims).filter(([k]) => !names.includes(k)));
  const withClaims = (over: Record<string, unknown>) => ({ ...claims, ...over });

  const bearer = (token: string) => () =>
    api.call('GET', '/auth/me', { headers: { authorization: `Bearer ${token}` } });
  const header = (value: string) => () => api.call('GET', '/auth/me', { headers: { authorization: value } });
  const raw = (lines: string) => () =>
    rawRequest(api.port, `GET /auth/me HTTP/1.1\nHost: 127.0.0.1\n${lines}`);
  const [h, p, s] = valid.split('.');

  const variants: [string, () => Promise<Answer>][] = [
    ['alg none, no signature', bearer(sign({ alg: 'none', typ: 'JWT' }, claims, null))],
    ['alg none with the real signature', bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`)],
    ['alg "None"', bearer(sign({ alg: 'None' }, claims, null))],
    ['alg "NONE"', bearer(sign({ alg: 'NONE' }, claims, null))],
    ['alg HS384 with the right key', bearer(sign({ alg: 'HS384', typ: 'JWT' }, claims))],
    ['alg HS512 with the right key', bearer(sign({ alg: 'HS512', typ: 'JWT' }, claims))],
    [
      'alg RS256 header, HMAC signature (confusion)',
      bearer(`${b64({ alg: 'RS256', typ: 'JWT' })}.${p}.${s}`),
    ],
    ['alg ES256 header', bearer(`${b64({ alg: 'ES256', typ: 'JWT' })}.${p}.${s}`)],
    ['no alg in the header', bearer(`${b64({ typ: 'JWT' })}.${p}.${s}`)],
    ['wrong key', bearer(sign(H, claims, 'another-secret-another-secret-another-secret'))],
    ['empty key', bearer(sign(H, claims, ''))],
    ['no exp', bearer(sign(H, without('exp')))],
    ['no iat', bearer(sign(H, without('iat')))],
    ['no iss', bearer(sign(H, without('iss')))],
    ['no aud', bearer(sign(H, without('aud')))],
    ['no sub', bearer(sign(H, without('sub')))],
    ['no sid', bearer(sign(H, without('sid')))],
    ['expired an hour ago', bearer(sign(H, withClaims({ iat: now - 7200, exp: now - 3600 })))],
    ['expired a second ago', bearer(sign(H, withClaims({ exp: now - 1 })))],
    ['iat an hour in the future', bearer(sign(H, withClaims({ iat: now + 3600, exp: now + 4500 })))],
    ['nbf an hour in the future', bearer(sign(H, withClaims({ nbf: now + 3600 })))],
    ['wrong iss', bearer(sign(H, withClaims({ iss: 'someone-else' })))],
    ['wrong aud', bearer(sign(H, withClaims({ aud: 'another-api' })))],
    ['aud list without ours', bearer(sign(H, withClaims({ aud: ['another-api'] })))],
    ['exp as a string', bearer(sign(H, withClaims({ exp: String(now + 600) })))],
    ['sub of another user, own sid', bearer(sign(H, withClaims({ sub: other.sub })))],
    ['sid of another user, own sub', bearer(sign(H, withClaims({ sid: other.sid })))],
    ['unknown sid', bearer(sign(H, withClaims({ sid: '00000000-0000-4000-8000-000000000000' })))],
    ['sid as a number', bearer(sign(H, withClaims({ sid: 1 })))],
    ['sid not a uuid', bearer(sign(H, withClaims({ sid: "x' OR '1'='1" })))],
    [
      'payload changed, signature kept',
      bearer(`${h}.${b64(withClaims({ sub: other.sub, sid: other.sid }))}.${s}`),
    ],
    ['signature removed', bearer(`${h}.${p}.`)],
    ['two parts only', bearer(`${h}.${p}`)],
    ['four parts', bearer(`${valid}.${s}`)],
    ['bad base64 in the payload', bearer(`${h}.${p.slice(0, -2)}!!.${s}`)],
    ['bad base64 in the signature', bearer(`${h}.${p}.${s.slice(0, -2)}$$`)],
    ['header not JSON', bearer(`${b64('not json')}.${p}.${s}`)],
    ['space inside the token', bearer(`${h}. ${p}.${s}`)],
    ['token of a logged-out session', bearer(loggedOut)],
    ['kid header pointing at a file', bearer(sign({ ...H, kid: '../../../../dev/null' }, claims, ''))],
    [
      'jku header',
      bearer(
        sign({ ...H, jku: 'http://127.0.0.1:1/keys' }, claims, 'attacker-key-attacker-key-attacker-key'),
      ),
    ],
    ['Basic scheme with the token', header(`Basic ${valid}`)],
    ['no scheme', header(valid)],
    ['token in the query string', () => api.call('GET', `/auth/me?access_token=${valid}`)],
    [
      'token in a cookie',
      () => api.call('GET', '/auth/me', { headers: { cookie: `access_token=${valid}` } }),
    ],
    [
      'two Authorization headers, valid first',
      raw(`Authorization: Bearer ${valid}\nAuthorization: Bearer x.y.z\n`),
    ],
    [
      'two Authorization headers, valid second',
      raw(`Authorization: Bearer x.y.z\nAuthorization: Bearer ${valid}\n`),
    ],
    [
      'two Authorization headers, both valid',
      raw(`Authorization: Bearer ${valid}\nAuthorization: Bearer ${valid}\n`),
    ],
    ['Bearer with trailing garbage', header(`Bearer ${valid} extra`)],
    ['Bearer, token split by a comma', header(`Bearer ${valid}, Bearer ${valid}`)],
  ];
  return variants.map(([name, send]) => ({ name, send }));
}
