import { startTestApp, type TestApp } from './helpers/app.js';

/** Every bad request gets a 4xx with a stable code and the one error shape — never a 500, never a stack. */
describe('bad input', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let street: string;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
    admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
    street = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001'`))[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  function expectCleanError(
    res: { status: number; body: unknown; text: string },
    status: number,
    code: string,
  ) {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(res.text).not.toMatch(/at .+\.(ts|js):\d+|stack|node_modules/);
  }

  it('given unknown fields, then 400 VALIDATION_FAILED naming each one', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .send({ username: 'a', password: 'b', role: 'admin', isAdmin: true });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['role', 'isAdmin']));
  });

  it('given several wrong fields at once, then every one is listed at once (一次告知)', async () => {
    const res = await t
      .http()
      .post('/admin/units')
      .set(admin)
      .send({ code: '!', name: '', kind: 'PALACE', parentId: 42 });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['code', 'kind', 'name', 'parentId']);
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'code').problems[0]).toMatch(
      /code/,
    );
  });

  it('given wrong types, then 400 VALIDATION_FAILED', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .send({ username: 123, password: ['x'] });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
  });

  it('given a missing body, then 400', async () => {
    const res = await t.http().post('/auth/login');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/VALIDATION_FAILED|MALFORMED_JSON/);
  });

  it('given malformed JSON, then 400 MALFORMED_JSON', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "a", ');
    expectCleanError(res, 400, 'MALFORMED_JSON');
  });

  it('given a body over the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t
      .http()
      .post('/admin/units')
      .set(admin)
      .send({ code: 'X1', name: 'x'.repeat(10_000), kind: 'COMMUNITY', parentId: street });
    expectCleanError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('given a body that is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await t.http().post('/auth/login').set('Content-Type', 'application/xml').send('<login/>');
    expectCleanError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('given prototype pollution in JSON, then 400 and nothing polluted', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"a","password":"b","__proto__":{"isAdmin":true}}');
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('given an unknown route, then 404 NOT_FOUND in the same shape', async () => {
    const res = await t.http().get('/no/such/route').set(admin);
    expectCleanError(res, 404, 'NOT_FOUND');
  });

  it('given a bad query parameter, then 400 VALIDATION_FAILED', async () => {
    const res = await t.http().get('/org/units?kind=CASTLE&parentId=zzz').set(admin);
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'kind',
      'parentId',
    ]);
  });

  it('given a weak new password, then 400 with the rule in words', async () => {
    const res = await t
      .http()
      .post('/admin/users')
      .set(admin)
      .send({ username: 'weak-one', displayName: '弱', unitId: street, password: 'short' });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error.details)).toContain('8');
  });

  it('given an error, then the request id is in the body and in the x-request-id header', async () => {
    const res = await t.http().get('/org/units/not-a-uuid').set(admin).set('x-request-id', 'clerk-ticket-42');
    expect(res.headers['x-request-id']).toBe('clerk-ticket-42');
    expect(res.body.error.requestId).toBe('clerk-ticket-42');
  });

  it('given a failed change, then nothing of it was written', async () => {
    const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM org_unit'))[0].n;
    const audit = (await t.dataSource.query('SELECT count(*)::int AS n FROM audit_record'))[0].n;
    await t
      .http()
      .post('/admin/units')
      .set(admin)
      .send({ code: '339901001001', name: 'dup', kind: 'COMMUNITY', parentId: street });
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM org_unit'))[0].n).toBe(before);
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_record'))[0].n).toBe(audit);
  });

  it('given the health check, then 200 with the database up', async () => {
    const res = await t.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('given the OpenAPI document, then every route names its permission and its error codes', async () => {
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<
      string,
      Record<string, { 'x-permissions'?: string[]; responses: object; description?: string }>
    >;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/auth/login',
        '/org/units/{id}',
        '/admin/users/{id}/roles',
        '/audit',
      ]),
    );
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect([path, method, Array.isArray(op['x-permissions'])]).toEqual([path, method, true]);
        expect(Object.keys(op.responses).some((s) => s.startsWith('4'))).toBe(true);
      }
    }
    expect(paths['/admin/users/{id}/roles'].put['x-permissions']).toEqual(['role:assign']);
    expect(res.body.components.schemas.ErrorBody).toBeDefined();
    const ui = await t.http().get('/docs');
    expect([200, 301, 302]).toContain(ui.status);
  });
});
