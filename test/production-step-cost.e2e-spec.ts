import { APPROVALS, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { captureStatements } from './helpers/statements.js';

/**
 * What the benchmark's production flow (bench/production.ts) sends PostgreSQL, request by request: the clerk's
 * submission, then for each approval the approver's inbox read and the completion. The counts are the
 * benchmark's "statements per step" (87 per application of 8 steps), measured on a warm server (the second
 * application: the users' sessions are kept in memory, no request checks its session in the database); a change that adds a statement to a step shows here first.
 */
describe('statements of the production flow, request by request', () => {
  let t: TestApp;
  let communities: string[];
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    communities = (
      await t.dataSource.query(`SELECT id FROM org_unit WHERE kind = 'COMMUNITY' ORDER BY code LIMIT 2`)
    ).map((r: { id: string }) => r.id);
    for (const u of ['dept-staff', ...APPROVALS.map(([user]) => user)]) tokens[u] = await t.token(u);
  });
  afterAll(async () => t.close());

  /** Each request's statements as `drive` captured them, and the name each was sent under (prepared) or null. */
  let lastNames = new Map<string, (string | null)[]>();

  /** One application from submission to publication; answers each request's statements by name. */
  async function drive(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const names = new Map<string, (string | null)[]>();
    lastNames = names;
    const staff = { Authorization: `Bearer ${tokens['dept-staff']}` };
    const draft = await t.http().post('/applications').set(staff).send(makeApplication(communities));
    expect(draft.status).toBe(201);
    const submitted = await captureStatements(() =>
      t.http().post(`/applications/${draft.body.id}/submit`).set(staff).send({}),
    );
    expect(submitted.result.status).toBe(200);
    out.set('submit', submitted.statements);
    names.set('submit', submitted.names);
    const instanceId = submitted.result.body.instanceId as string;
    for (const [user, element] of APPROVALS) {
      const auth = { Authorization: `Bearer ${tokens[user]}` };
      const inbox = await captureStatements(() => t.http().get('/tasks?page=1&pageSize=200').set(auth));
      const task = (inbox.result.body.items as { id: string; instanceId: string; elementId: string }[]).find(
        (x) => x.instanceId === instanceId && x.elementId === element,
      );
      expect(task).toBeDefined();
      const done = await captureStatements(() =>
        t.http().post(`/tasks/${task!.id}/complete`).set(auth).send({ decision: 'approve' }),
      );
      expect(done.result.status).toBe(200);
      out.set(`${user} inbox`, inbox.statements);
      out.set(`${user} ${element}`, done.statements);
      names.set(`${user} inbox`, inbox.names);
      names.set(`${user} ${element}`, done.names);
    }
    return out;
  }

  it('given a warm server, when an application goes from submission to publication, then each request sends the statements it needs and no more (87 for 8 steps)', async () => {
    await drive();
    const requests = await drive();
    const counts = Object.fromEntries([...requests].map(([name, s]) => [name, s.length]));
    expect(counts).toEqual({
      submit: 13,
      'dept-head inbox': 2,
      'dept-head deptApprove': 6,
      'office inbox': 2,
      'office completeness': 12,
      'office scopeReview': 8,
      'member-1 inbox': 2,
      'member-1 countersign': 6,
      'member-2 inbox': 2,
      'member-2 countersign': 6,
      'member-3 inbox': 2,
      'member-3 countersign': 7,
      'leader inbox': 2,
      'leader leaderSign': 15,
    });
    // The office's inbox is read twice (completeness, then scope review): the map holds the second.
    expect([...requests.values()].reduce((n, s) => n + s.length, 0) + 2).toBe(87);
  });

  it('given a submission, then it reads the draft once (under its lock) and its level once, and answers without reading it again', async () => {
    const submitted = (await drive()).get('submit')!;
    expect(submitted.filter((s) => s.startsWith('SELECT "AdmissionApplication"'))).toHaveLength(1);
    expect(submitted.filter((s) => s.startsWith('WITH owner AS'))).toHaveLength(1);
    expect(submitted.filter((s) => s.startsWith('SELECT path FROM'))).toEqual([]);
  });

  it('given a countersign, then its tally is read with its task and its completion written with the state; given a step with service tasks, then their incidents are resolved with its state write', async () => {
    const requests = await drive();
    for (const member of ['member-1', 'member-2', 'member-3']) {
      const sent = requests.get(`${member} countersign`)!;
      expect(sent.filter((s) => s.startsWith('SELECT decision'))).toEqual([]);
      expect(sent.filter((s) => s.startsWith('WITH done AS'))).toHaveLength(1);
    }
    for (const step of ['office completeness', 'leader leaderSign'])
      expect(requests.get(step)!.filter((s) => s.startsWith('UPDATE workflow_incident'))).toEqual([]);
  });

  it('given a warm server, then what every step sends — the inbox page and its subjects, the state write, the rows it writes — goes prepared, and the inbox is planned once per connection, not at every read', async () => {
    await drive();
    const requests = await drive();
    const unnamed: string[] = [];
    for (const [request, statements] of requests)
      statements.forEach((s, i) => {
        const everyStep =
          /^(SELECT a\.id::text AS|SELECT t\.\*, EXISTS|WITH done AS|WITH new_tasks AS|SELECT u\.id AS|SELECT t\.id, t\.instance_id)/;
        if (everyStep.test(s) && !lastNames.get(request)![i]) unnamed.push(`${request}: ${s}`);
      });
    expect(unnamed).toEqual([]);
    // The pool's connections: the inbox page's plan is generic (kept) on those that read it more than five times.
    const plans = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      const rows: { pid: number; generic: number | null }[] = await t.dataSource.query(
        `SELECT pg_backend_pid() AS pid,
                (SELECT generic_plans::int FROM pg_prepared_statements WHERE name = 'workflow_inbox_page') AS generic`,
      );
      plans.set(rows[0].pid, rows[0].generic ?? 0);
    }
    expect(Math.max(...plans.values())).toBeGreaterThan(0);
  });

  it('given a server built with LZ4, when a case steps, then its state and the copy kept for 撤回 are stored LZ4-compressed (cheaper than pglz at every step)', async () => {
    const lz4: { ok: boolean }[] = await t.dataSource.query(
      `SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    const requests = await drive();
    expect(requests.size).toBeGreaterThan(0);
    const stored: { instance: string | null; undo: string | null }[] = await t.dataSource.query(
      `SELECT (SELECT pg_column_compression(i.state) FROM workflow_instance i
                WHERE i.process_id = 'admission' ORDER BY i.started_at DESC LIMIT 1) AS instance,
              (SELECT pg_column_compression(u.state) FROM workflow_undo u ORDER BY u.created_at DESC LIMIT 1) AS undo`,
    );
    const expected = lz4[0]?.ok ? 'lz4' : 'pglz';
    expect(stored[0]).toEqual({ instance: expected, undo: expected });
  });

  it('given the three member units signing at the same moment, then every approval counts in the tally and the case goes on to the leader', async () => {
    const staff = { Authorization: `Bearer ${tokens['dept-staff']}` };
    const draft = await t.http().post('/applications').set(staff).send(makeApplication(communities));
    const submitted = await t.http().post(`/applications/${draft.body.id}/submit`).set(staff).send({});
    const instanceId = submitted.body.instanceId as string;
    const find = async (user: string, element: string) => {
      const inbox = await t
        .http()
        .get('/tasks?page=1&pageSize=200')
        .set({ Authorization: `Bearer ${tokens[user]}` });
      return (inbox.body.items as { id: string; instanceId: string; elementId: string }[]).find(
        (x) => x.instanceId === instanceId && x.elementId === element,
      )!.id;
    };
    for (const [user, element] of APPROVALS.slice(0, 3)) {
      const id = await find(user, element);
      const done = await t
        .http()
        .post(`/tasks/${id}/complete`)
        .set({ Authorization: `Bearer ${tokens[user]}` })
        .send({ decision: 'approve' });
      expect(done.status).toBe(200);
    }
    const members = APPROVALS.filter(([, element]) => element === 'countersign').map(([user]) => user);
    expect(members).toHaveLength(3);
    const ids = await Promise.all(members.map((user) => find(user, 'countersign')));
    const done = await Promise.all(
      members.map((user, i) =>
        t
          .http()
          .post(`/tasks/${ids[i]}/complete`)
          .set({ Authorization: `Bearer ${tokens[user]}` })
          .send({ decision: 'approve' }),
      ),
    );
    expect(done.map((r) => r.status)).toEqual([200, 200, 200]);
    const [row]: { tally: unknown; open: string[] }[] = await t.dataSource.query(
      `SELECT i.variables->'countersign'->'countersign' AS tally,
              (SELECT array_agg(element_id) FROM workflow_task WHERE instance_id = i.id AND status = 'open') AS open
         FROM workflow_instance i WHERE i.id = $1`,
      [instanceId],
    );
    expect(row.tally).toMatchObject({ total: 3, approve: 3, decided: true, approved: true });
    expect(row.open).toEqual(['leaderSign']);
  });
});
