/*
 * npm run test:security [-- --quick] — attacks on the real service (the built dist, a child process on a fresh
 * PostgreSQL database with the demo data) by an outsider with the demo accounts:
 *   1. the access matrix, generated from the route table in /docs-json: every route × every demo user × own,
 *      foreign and missing objects; foreign must answer exactly like missing (status and error code);
 *   2. the authority rules no route table shows (三员分立, delegation and added signers), and authority after the
 *      organization changes (battery/org-changes.ts);
 *   3. token variants; 4. mass assignment on every body; 5. malformed inputs generated from the OpenAPI document
 *      (no 5xx, every error in the envelope); 6. login lockout and throttling.
 * Prints one table of figures and the findings; exits 1 when a target is missed.
 */
import { randomUUID } from 'node:crypto';
import {
  Api,
  DEMO_USERS,
  type Answer,
  type Figure,
  QUICK,
  report,
  scratchDatabase,
  type ScratchDatabase,
  startService,
  trace,
  PASSWORD,
} from './harness.js';
import { D2_COMMUNITY, makeFixtures, OTHER_STREET_COMMUNITY, reviewTask, type Fixtures } from './fixtures.js';
import { RouteTable, validBody, type Route } from './openapi.js';
import { tokenVariants } from './tokens.js';
import { organizationChanges } from './org-changes.js';
import { malformedRequests } from './malformed.js';

type Relation = 'own' | 'foreign' | 'deny' | 'other' | 'missing';
interface Target {
  relation: Relation;
  params: Record<string, string>;
  label: string;
}

const findings: string[] = [];
const counters = {
  probes: 0,
  unexpectedAllows: 0,
  leaks: 0,
  fiveHundreds: 0,
  foreign: 0,
  outsideEnvelope: 0,
};
/** Error answers that are not `{ error: { code, message } }` (the service's one error envelope), grouped by input. */
const bare = new Map<string, number>();
const envelope = (what: string, res: Answer) => {
  if (res.status >= 400 && !(typeof res.body.error?.code === 'string')) {
    counters.outsideEnvelope++;
    const b = res.body as Record<string, unknown>;
    const shape =
      typeof b.error === 'string'
        ? `{"error":"${b.error}"${b.code ? `,"code":"${String(b.code)}"` : ''}}`
        : res.text.slice(0, 60);
    const key = `not in the error envelope: ${what} → ${res.status} ${shape}`;
    bare.set(key, (bare.get(key) ?? 0) + 1);
  }
};
/** 5xx answers, grouped by what was sent (the same input on the same route is one finding). */
/** 5xx answers grouped by input and answer, each group with the routes (and fields) where it happened. */
const fives = new Map<string, { n: number; where: Set<string> }>();
const fiveHundred = (what: string, res: Answer, where = '') => {
  if (res.status >= 500 || res.status === 0) {
    counters.fiveHundreds++;
    const key = `5xx: ${what} → ${res.status || 'no answer'} ${res.body.error?.code ?? ''}`.trim();
    const group = fives.get(key) ?? { n: 0, where: new Set<string>() };
    group.n++;
    if (where) group.where.add(where);
    fives.set(key, group);
    return true;
  }
  return false;
};
const fiveHundredFindings = () =>
  [...fives].sort().map(([key, { n, where }]) => {
    const places = [...where].sort();
    const shown = places.slice(0, 8).join('; ');
    return `${key}${n > 1 ? ` (×${n})` : ''}${places.length ? ` on ${places.length} route(s): ${shown}${places.length > 8 ? '; …' : ''}` : ''}`;
  });
const ok = (res: Answer) => res.status >= 200 && res.status < 300;
const outcome = (res: Answer) => `${res.status} ${res.body.error?.code ?? ''}`.trim();

/** Who stands how to each fixture object, by the README's access rules (users not named: not judged). */
function relations(f: Fixtures) {
  const set = (...names: string[]) => new Set(names);
  const of =
    (own: Set<string>, foreign: Set<string>, deny = set()) =>
    (user: string): Relation =>
      own.has(user) ? 'own' : foreign.has(user) ? 'foreign' : deny.has(user) ? 'deny' : 'other';
  const district1 = [
    'dept-staff',
    'dept-head',
    'dept2-staff',
    'office',
    'member-1',
    'member-2',
    'member-3',
    'leader',
    'finance',
    'street',
    'committee',
    'committee-2',
  ];
  const outsiders = [
    'secadmin',
    'auditor',
    'dept2-staff',
    'finance',
    'street',
    'committee',
    'committee-2',
    'committee-d2',
  ];
  return {
    // A submitted application: its department, and reviewers of its area (office, members, leader, finance).
    application: of(
      set('dept-staff', 'dept-head', 'office'),
      set('sysadmin', ...outsiders.filter((u) => u !== 'finance')),
    ),
    // A draft: its own department only.
    draft: of(
      set('dept2-staff'),
      set(
        'sysadmin',
        'secadmin',
        'auditor',
        'dept-staff',
        'dept-head',
        'office',
        'member-1',
        'member-2',
        'member-3',
        'leader',
        'finance',
        'street',
        'committee',
        'committee-2',
        'committee-d2',
        'city-office',
        'city-leader',
      ),
    ),
    // The case at the completeness review: starter, those who had a task in it, overseers of its area, admins.
    instance: of(
      set('dept-staff', 'dept-head', 'office', 'sysadmin', 'city-office'),
      set(...outsiders, 'member-1', 'member-2', 'member-3', 'leader', 'city-leader'),
    ),
    // The office's open task: its candidates only.
    task: of(set('office'), set(...outsiders, 'member-1', 'member-2', 'member-3', 'leader', 'city-leader')),
    // A task the leader completed in the admitted item's case: the leader, overseers; nobody outside the area.
    doneTask: of(
      set('leader'),
      set('secadmin', 'auditor', 'dept2-staff', 'street', 'committee', 'committee-2', 'committee-d2'),
    ),
    // A city case: the city office and the admins; no district-1 unit is involved in it.
    cityInstance: of(
      set('city-office', 'sysadmin'),
      set(...district1, 'secadmin', 'auditor', 'committee-d2', 'city-leader'),
    ),
    cityTask: of(set('city-office'), set(...district1, 'secadmin', 'auditor', 'committee-d2', 'city-leader')),
    // The district-1 leading group: not for district 2.
    leadingGroup: of(set('office', 'leader', 'member-1', 'member-2', 'member-3'), set('committee-d2')),
    // The admitted item (public to read): a target community's committee evaluates; its department registers funds.
    item: of(
      set('committee', 'committee-2', 'dept-staff', 'office'),
      set(),
      set('committee-d2', 'dept2-staff'),
    ),
    transfer: of(set('finance'), set()),
    // A stamp log entry of C1: its committee reads it (其他社区 as missing); the street, the district and the auditor
    // read it in their area; nobody else may.
    myStampLog: of(set('committee'), set('committee-2', 'committee-d2')),
    areaStampLog: of(
      set('street', 'office', 'leader', 'auditor', 'city-office', 'city-leader'),
      set(),
      set('committee', 'committee-2', 'committee-d2', 'dept-staff', 'finance', 'sysadmin', 'member-1'),
    ),
    account: of(set('sysadmin', 'secadmin', 'auditor'), set()),
    // A stamp-list import: the office that ran it; the other office answers as for a missing one.
    stampImport: of(set('office'), set('city-office')),
    // A dispatch: its department only; C1's piece of it: C1's committee only.
    dispatch: of(set('dept-staff'), set('dept2-staff')),
    piece: of(set('committee'), set('committee-2', 'committee-d2')),
    /** A unit the user belongs to, and one outside the part of the tree the user may see. */
    units(user: string): { own?: string; foreign?: string } {
      const u = f.unit;
      const byUser: Record<string, [string, string | undefined]> = {
        sysadmin: ['3399', undefined],
        secadmin: ['3399', undefined],
        auditor: ['3399', undefined],
        'city-office': ['3399-LGO', undefined],
        'city-leader': ['3399-LG', undefined],
        'dept-staff': ['339901-WJ', D2_COMMUNITY],
        'dept-head': ['339901-WJ', D2_COMMUNITY],
        'dept2-staff': ['339901-ZJ', D2_COMMUNITY],
        office: ['339901-LGO', D2_COMMUNITY],
        'member-1': ['339901-GA', D2_COMMUNITY],
        'member-2': ['339901-RS', D2_COMMUNITY],
        'member-3': ['339901-CZ', D2_COMMUNITY],
        leader: ['339901-LG', D2_COMMUNITY],
        finance: ['339901-CW', D2_COMMUNITY],
        street: ['339901001', OTHER_STREET_COMMUNITY],
        committee: ['339901001001', '339901001002'],
        'committee-2': ['339901001002', '339901001001'],
        'committee-d2': [D2_COMMUNITY, '339901001001'],
      };
      const [own, foreign] = byUser[user] ?? [undefined, undefined];
      return { own: own && u[own], foreign: foreign && u[foreign] };
    },
  };
}

/** The objects a route's path names, as seen by `user`: own, foreign (or refused) and missing. */
function targets(route: Route, user: string, f: Fixtures, rel: ReturnType<typeof relations>): Target[] {
  if (!route.pathParams.length) return [{ relation: 'other', params: {}, label: '-' }];
  if (route.pathParams.includes('day'))
    return [{ relation: 'other', params: { day: '2027-10-09' }, label: 'day' }];
  const missing: Target = {
    relation: 'missing',
    params: Object.fromEntries(route.pathParams.map((p) => [p, randomUUID()])),
    label: 'missing',
  };
  const one = (relation: Relation, params: Record<string, string>, label: string): Target[] =>
    relation === 'other' && !params.id ? [] : [{ relation, params, label }];
  const p = route.path;
  let found: Target[] = [];
  if (p.startsWith('/workflow-instances/'))
    found = [
      ...one(rel.instance(user), { id: f.instance }, 'case'),
      ...one(rel.cityInstance(user), { id: f.cityInstance }, 'city case'),
    ];
  else if (p.startsWith('/tasks/'))
    found = [
      ...one(rel.task(user), { id: f.task }, 'open task'),
      ...one(rel.doneTask(user), { id: f.completedTask }, 'completed task'),
      ...one(rel.cityTask(user), { id: f.cityTask }, 'open city task'),
      ...one(rel.cityTask(user), { id: f.cityDoneTask }, 'completed city task'),
    ];
  else if (p.startsWith('/org/units/') || p.startsWith('/admin/units/')) {
    const u = rel.units(user);
    found = [
      ...(u.own ? one('own', { id: u.own }, 'own unit') : []),
      ...(u.foreign ? one('foreign', { id: u.foreign }, 'unit outside scope') : []),
    ];
  } else if (p.includes('/leading-groups/'))
    found = one(rel.leadingGroup(user), { id: f.unit['339901-LG'] }, 'district-1 leading group');
  else if (p.startsWith('/admin/users/')) found = one(rel.account(user), { id: f.account }, 'account');
  else if (p.startsWith('/applications/')) {
    const attachment: Record<string, string> = route.pathParams.includes('attachmentId')
      ? { attachmentId: f.attachment }
      : {};
    found = [
      ...one(rel.application(user), { id: f.application, ...attachment }, 'submitted application'),
      ...(attachment.attachmentId
        ? []
        : one(rel.draft(user), { id: f.draft }, 'draft of another department')),
    ];
  } else if (p.startsWith('/admitted-items/')) found = one(rel.item(user), { id: f.item }, 'admitted item');
  else if (p.startsWith('/funding-transfers/'))
    found = one(rel.transfer(user), { id: f.transfer }, 'transfer');
  else if (p.startsWith('/my-community/stamp-log/{id}'))
    found = one(rel.myStampLog(user), { id: f.stampLog }, 'stamp log entry');
  else if (p.startsWith('/stamp-log/{id}'))
    found = one(rel.areaStampLog(user), { id: f.stampLog }, 'stamp log entry');
  else if (p.startsWith('/stamp-imports/'))
    found = one(rel.stampImport(user), { id: f.stampImport }, 'stamp import');
  else if (p.startsWith('/dispatches/')) found = one(rel.dispatch(user), { id: f.dispatch }, 'dispatch');
  else if (p.startsWith('/my-community/received-work/'))
    found = one(rel.piece(user), { id: f.piece }, 'received piece');
  return [...found, missing];
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? randomUUID()));

async function accessMatrix(api: Api, table: RouteTable, f: Fixtures, permissions: Map<string, Set<string>>) {
  const rel = relations(f);
  let cells = 0;
  for (const route of table.routes) {
    if (route.key === 'POST /auth/logout' || route.key === 'POST /auth/login') continue; // tokens, lockout below
    for (const user of DEMO_USERS) {
      const lacks = route.permissions.some((perm) => !permissions.get(user)!.has(perm));
      const answers = new Map<Relation, Answer>();
      const ts = targets(route, user, f, rel);
      for (const t of ts) {
        // Probes never change the fixtures on purpose: a permitted user's own object is not written to.
        if (route.method !== 'GET' && !lacks && (t.relation === 'own' || t.relation === 'other')) continue;
        const body = validBody(table, route, f);
        const path = fill(route.path, t.params);
        const res = await api.call(route.method, path, { token: await api.token(user), body });
        counters.probes++;
        cells++;
        answers.set(t.relation, res);
        if (t.relation === 'foreign') {
          counters.foreign++;
          const missingFirst = ts.find((x) => x.relation === 'missing')!;
          // Compared with the missing object of the same route and user, which is probed right after.
          void missingFirst;
        }
        const what = `${route.method} ${path} as ${user} (${t.label})`;
        trace(`matrix ${what}${lacks ? ' lacks permission' : ''} [${t.relation}] → ${outcome(res)}`);
        fiveHundred(what, res);
        envelope(`${route.method} ${route.path} as ${user}`, res);
        if (ok(res) && !route.public && (lacks || ['foreign', 'deny', 'missing'].includes(t.relation))) {
          counters.unexpectedAllows++;
          findings.push(
            `unexpected allow: ${route.method} ${route.path} as ${user} on ${t.label}${lacks ? ` (lacks ${route.permissions.join(', ')})` : ''} → ${res.status}`,
          );
        }
      }
      const foreign = answers.get('foreign');
      const missing = answers.get('missing');
      if (foreign && missing && !ok(foreign) && outcome(foreign) !== outcome(missing)) {
        counters.leaks++;
        findings.push(
          `leak: ${route.method} ${route.path} as ${user}: foreign → ${outcome(foreign)}, missing → ${outcome(missing)}`,
        );
      }
    }
  }
  return cells;
}

/** Rules of authority that the route table cannot show: each of these must be refused. */
async function authorityProbes(api: Api, db: ScratchDatabase, f: Fixtures): Promise<number> {
  const until = new Date(Date.now() + 7 * 86400_000).toISOString();
  const version = async (id: string) =>
    (await api.as('secadmin', 'GET', `/admin/users/${id}`)).version as number;
  // Each task rule on a task of its own, claimed by the office: one accepted attack does not hide the next.
  const fresh = async () => {
    const task = await reviewTask(api, db, f);
    await api.as('office', 'POST', `/tasks/${task}/claim`);
    return task;
  };
  const [t1, t2, t3, t4] = [await fresh(), await fresh(), await fresh(), await fresh()];
  const probes: [string, string, string, string, () => Promise<unknown>][] = [
    [
      'office',
      'POST',
      `/tasks/${t1}/signers`,
      'adds the auditor as a signer of its review',
      async () => ({
        userIds: [f.user['auditor']],
      }),
    ],
    [
      'office',
      'POST',
      `/tasks/${t2}/delegate`,
      'delegates its review to committee-d2 (district 2)',
      async () => ({
        toUserId: f.user['committee-d2'],
        until,
      }),
    ],
    [
      'office',
      'POST',
      `/tasks/${t3}/reassign`,
      "reassigns its review to the applicant's own dept-staff",
      async () => ({
        toUserId: f.user['dept-staff'],
      }),
    ],
    [
      'office',
      'POST',
      `/tasks/${t4}/delegate`,
      'delegates its review to the auditor',
      async () => ({
        toUserId: f.user['auditor'],
        until,
      }),
    ],
    [
      'sysadmin',
      'POST',
      '/workflow-instances',
      'starts an admission case with its own variables',
      async () => ({
        processId: 'admission',
        ownerUnitId: f.unit['339901-WJ'],
        variables: { applicationId: f.draft },
      }),
    ],
    [
      'secadmin',
      'PUT',
      `/admin/users/${f.user['secadmin']}/roles`,
      'sets its own roles',
      async () => ({
        roles: ['SECURITY_ADMIN'],
        version: await version(f.user['secadmin']),
      }),
    ],
    [
      'secadmin',
      'PUT',
      `/admin/users/${f.account}/roles`,
      'grants system admin and auditor to one account',
      async () => ({
        roles: ['SYSTEM_ADMIN', 'AUDITOR'],
        version: await version(f.account),
      }),
    ],
    [
      'secadmin',
      'POST',
      `/admin/users/${f.user['sysadmin']}/password`,
      "sets the system admin's password",
      async () => ({
        password: 'Battery@Taken-2026',
      }),
    ],
    [
      'secadmin',
      'POST',
      `/admin/users/${f.user['auditor']}/password`,
      "sets the auditor's password",
      async () => ({
        password: 'Battery@Taken-2026',
      }),
    ],
  ];
  for (const [user, method, path, description, body] of probes) {
    const res = await api.call(method, path, { token: await api.token(user), body: await body() });
    trace(
      `authority ${method} ${path} as ${user} → ${outcome(res)} ${res.body.error ? JSON.stringify(res.body.error) : ''}`,
    );
    counters.probes++;
    fiveHundred(`${method} ${path} as ${user}`, res);
    if (ok(res)) {
      const taken = /\/admin\/users\/([^/]+)\/password$/.exec(path);
      const owner = taken && Object.entries(f.user).find(([, id]) => id === taken[1])?.[0];
      if (owner) {
        api.passwords.set(owner, 'Battery@Taken-2026');
        api.forget(owner);
      }
      counters.unexpectedAllows++;
      findings.push(
        `unexpected allow (authority): ${user} ${description} (${method} ${path}) → ${res.status}`,
      );
    }
  }
  return probes.length;
}

async function tokens(api: Api) {
  let accepted = 0;
  const variants = await tokenVariants(api);
  for (const v of variants) {
    const res = await v.send();
    trace(`token ${v.name} → ${outcome(res)}`);
    envelope(`token variant "${v.name}"`, res);
    fiveHundred(`token variant "${v.name}"`, res);
    if (res.status === 200) {
      accepted++;
      findings.push(`token accepted: ${v.name} → ${res.status}`);
    }
  }
  return { variants: variants.length, accepted };
}

const MASS_FIELDS = [
  'id',
  'version',
  'status',
  'departmentId',
  'unitId',
  'applicantUnitId',
  'roles',
  'createdBy',
  'createdAt',
  'ownerUnitId',
  'passwordHash',
  'admissionNumber',
  '__proto__',
];

async function massAssignment(
  api: Api,
  table: RouteTable,
  f: Fixtures,
  permissions: Map<string, Set<string>>,
) {
  let bodies = 0;
  let accepted = 0;
  for (const route of table.routes) {
    if (!route.body) continue;
    const own = new Set(table.fields(route));
    const user = route.key.startsWith('POST /tasks/')
      ? 'office'
      : DEMO_USERS.find((u) => route.permissions.every((perm) => permissions.get(u)!.has(perm)))!;
    for (const field of MASS_FIELDS) {
      if (own.has(field)) continue;
      const base = validBody(table, route, f) as Record<string, unknown>;
      const rawBody = JSON.stringify(base).replace(
        /^\{/,
        `{${JSON.stringify(field)}:${JSON.stringify(field === 'roles' ? ['SYSTEM_ADMIN'] : field === 'version' ? 1 : randomUUID())},`,
      );
      // Missing objects in the path: a body that gets past validation is found without changing a fixture.
      const path = fill(route.path, { day: '2027-10-10' });
      const res = await api.call(route.method, path, {
        token: route.public ? null : await api.token(user),
        rawBody,
      });
      bodies++;
      fiveHundred(`${route.key} with extra "${field}"`, res);
      if (res.status !== 400) {
        accepted++;
        findings.push(
          `mass assignment: ${route.key} as ${user} with extra "${field}" → ${outcome(res)} (expected 400)`,
        );
      }
    }
  }
  return { bodies, accepted };
}

async function fuzz(api: Api, table: RouteTable, f: Fixtures, permissions: Map<string, Set<string>>) {
  let n = 0;
  let failed = 0;
  for (const req of malformedRequests(table, f, QUICK, (route) =>
    route.key.startsWith('POST /tasks/')
      ? 'office'
      : (DEMO_USERS.find((u) => route.permissions.every((perm) => permissions.get(u)!.has(perm))) ??
        'sysadmin'),
  )) {
    const res = await api.call(req.method, req.path, {
      token: req.user ? await api.token(req.user) : null,
      rawBody: req.rawBody,
      headers: req.headers,
    });
    n++;
    envelope(`any route, ${req.input}`, res);
    if (fiveHundred(`any route, ${req.input.replace(/^body\.\w+ =/, 'a body field =')}`, res, req.where))
      failed++;
  }
  return { inputs: n, fives: failed };
}

/** The service's lock lasts this long here, so that the full tier can see the holder get back in. */
const LOCK_MINUTES = 1;

async function lockout(api: Api, f: Fixtures) {
  // An account of its own (the fuzzer may have changed battery-clerk's password).
  await api.as('sysadmin', 'POST', '/admin/users', {
    username: 'lock-holder',
    displayName: '锁定测试',
    unitId: f.unit['339901-WJ'],
    password: PASSWORD,
  });
  const wrong = (username: string) =>
    api.call('POST', '/auth/login', { body: { username, password: 'Wrong@Password-1' } });
  const burst: Answer[] = [];
  for (let i = 0; i < 50; i++) burst.push(await wrong('lock-holder'));
  const spray: Answer[] = [];
  for (let i = 0; i < 50; i++) spray.push(await wrong(`nobody-${i}`));
  for (const r of [...burst, ...spray]) fiveHundred('login burst', r);
  const throttled = (rs: Answer[]) => rs.filter((r) => r.status === 429 && r.headers['retry-after']).length;
  const unknown = await wrong(`nobody-${randomUUID().slice(0, 8)}`);
  const locked = await wrong('lock-holder');
  const alike =
    unknown.status === locked.status &&
    unknown.body.error?.code === locked.body.error?.code &&
    (unknown.body.error as { message?: string } | undefined)?.message ===
      (locked.body.error as { message?: string } | undefined)?.message;
  if (!alike)
    findings.push(
      `enumeration: unknown user → ${outcome(unknown)}, locked account → ${outcome(locked)} (must be alike)`,
    );
  if (!throttled(burst))
    findings.push(
      `throttling: 50 wrong passwords for one account from one address → ${[...new Set(burst.map(outcome))].join(', ')}; no 429 with Retry-After`,
    );
  if (!throttled(spray))
    findings.push(
      `throttling: 50 wrong logins of unknown names from one address → ${[...new Set(spray.map(outcome))].join(', ')}; no 429 with Retry-After`,
    );
  // The holder gets back in once the lock (and any throttle's Retry-After) has passed: full tier only.
  let holderBack: boolean | null = null;
  if (!QUICK) {
    holderBack = false;
    const until = Date.now() + (LOCK_MINUTES + 3) * 60_000;
    await new Promise((r) => setTimeout(r, LOCK_MINUTES * 60_000));
    while (Date.now() < until) {
      // The holder logs in from their own desk, not from the address the burst came from (that one stays
      // throttled for its window, as it should).
      const res = await api.call('POST', '/auth/login', {
        body: { username: 'lock-holder', password: PASSWORD },
        headers: { 'x-forwarded-for': '192.0.2.20' },
      });
      if (res.status === 200) {
        holderBack = true;
        break;
      }
      const wait = Number(res.headers['retry-after'] ?? 5);
      await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 1), 60) * 1000));
    }
    if (!holderBack)
      findings.push(
        `lockout: the holder of lock-holder could not log in within ${LOCK_MINUTES + 3} min of the burst`,
      );
  }
  return { burst: throttled(burst), spray: throttled(spray), alike, holderBack };
}

async function main(): Promise<number> {
  const db = await scratchDatabase();
  const service = await startService(db.url, { LOGIN_LOCK_MINUTES: String(LOCK_MINUTES) });
  try {
    const api = new Api(service.port);
    const f = await makeFixtures(api, db);
    const table = await RouteTable.load(api);
    const permissions = new Map<string, Set<string>>();
    for (const u of DEMO_USERS)
      permissions.set(u, new Set((await api.as(u, 'GET', '/auth/me')).permissions as string[]));

    const tok = await tokens(api);
    const cells = await accessMatrix(api, table, f, permissions);
    const authority = await authorityProbes(api, db, f);
    // Before the fuzzer, which may change the organization it walks cases through (a leading group's members…).
    const changes = await organizationChanges(api, db, f);
    const mass = await massAssignment(api, table, f, permissions);
    const fuzzed = await fuzz(api, table, f, permissions);
    api.forgetAll(); // whatever sessions the fuzzer's inputs ended
    for (const c of changes.findings) {
      if (c.kind === 'allow') counters.unexpectedAllows++;
      findings.push(
        `${c.kind === 'allow' ? 'unexpected allow (organization changed)' : 'stuck task'}: ${c.text}`,
      );
    }
    const stuck = changes.findings.filter((c) => c.kind === 'stuck').length;
    const lock = await lockout(api, f);
    const alive = (await api.call('GET', '/health')).status === 200;
    findings.push(...fiveHundredFindings());
    for (const [key, n] of [...bare].sort()) findings.push(n > 1 ? `${key} (×${n})` : key);

    const figures: Figure[] = [
      { measure: 'routes in the matrix (from /docs-json)', value: table.routes.length, target: '', ok: true },
      {
        measure: 'access requests (matrix, authority rules, organization changes)',
        value: cells + authority + changes.probes,
        target: '',
        ok: true,
      },
      { measure: 'probes of foreign objects', value: counters.foreign, target: '', ok: true },
      {
        measure: 'unexpected allows',
        value: counters.unexpectedAllows,
        target: '0',
        ok: counters.unexpectedAllows === 0,
      },
      {
        measure: 'tasks not back with their group after a change',
        value: stuck,
        target: '0',
        ok: stuck === 0,
      },
      {
        measure: 'foreign answered unlike missing (leaks)',
        value: counters.leaks,
        target: '0',
        ok: counters.leaks === 0,
      },
      { measure: 'token variants', value: tok.variants, target: '≥ 40', ok: tok.variants >= 40 },
      { measure: 'token variants accepted', value: tok.accepted, target: '0', ok: tok.accepted === 0 },
      { measure: 'mass-assignment bodies', value: mass.bodies, target: '', ok: true },
      {
        measure: 'mass-assignment bodies not refused (400)',
        value: mass.accepted,
        target: '0',
        ok: mass.accepted === 0,
      },
      {
        measure: 'malformed inputs from the OpenAPI document',
        value: fuzzed.inputs,
        target: '≥ 1000',
        ok: fuzzed.inputs >= 1000,
      },
      {
        measure: 'answers 5xx or none (all parts)',
        value: counters.fiveHundreds,
        target: '0',
        ok: counters.fiveHundreds === 0,
      },
      {
        measure: 'error answers outside the error envelope',
        value: counters.outsideEnvelope,
        target: '0',
        ok: counters.outsideEnvelope === 0,
      },
      {
        measure: '429 + Retry-After in 50 wrong passwords, one account',
        value: lock.burst,
        target: '≥ 1',
        ok: lock.burst > 0,
      },
      {
        measure: '429 + Retry-After in 50 unknown names, one address',
        value: lock.spray,
        target: '≥ 1',
        ok: lock.spray > 0,
      },
      {
        measure: 'unknown name and locked account alike',
        value: lock.alike ? 'yes' : 'no',
        target: 'yes',
        ok: lock.alike,
      },
      {
        measure: 'the holder logs in after the lock ends',
        value: lock.holderBack === null ? 'not run (quick)' : lock.holderBack ? 'yes' : 'no',
        target: 'yes',
        ok: lock.holderBack !== false,
      },
      { measure: 'service alive at the end', value: alive ? 'yes' : 'no', target: 'yes', ok: alive },
    ];
    return report('security battery', figures, findings);
  } finally {
    await service.stop();
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
