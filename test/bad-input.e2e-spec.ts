import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';

/** Every bad request gets a 4xx with a stable code and the one error shape — never a 500, never a stack. */
describe('bad input', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let street: string;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '65536' });
    admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
    street = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001'`))[0].id;
  });
  // A second server process on the same database, started by a test. Passport keeps one strategy per process,
  // bound to the last app started: the apps stop in the reverse order of their start.
  let second: TestApp | undefined;
  afterAll(async () => {
    await second?.stop();
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

  it('given unknown fields named like what every object has (toString, valueOf, hasOwnProperty), in the body and in the query, then 400 naming each, as any unknown field', async () => {
    const body = await t
      .http()
      .post('/auth/login')
      .send({ username: 'a', password: 'b', toString: 1, valueOf: 'x', hasOwnProperty: true });
    expectCleanError(body, 400, 'VALIDATION_FAILED');
    expect(body.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'hasOwnProperty',
      'toString',
      'valueOf',
    ]);
    const query = await t.http().get('/org/units?toString=1&kind=STREET').set(admin);
    expectCleanError(query, 400, 'VALIDATION_FAILED');
    expect(query.body.error.details.map((d: { field: string }) => d.field)).toEqual(['toString']);
    // Inside a free-form object too (a case's variables), told with the other problems of the request.
    const nested = await t
      .http()
      .post('/workflow-instances')
      .set(admin)
      .send({ processId: '1bad', variables: { valueOf: 1, steps: [{ constructor: 'x' }] } });
    expectCleanError(nested, 400, 'VALIDATION_FAILED');
    expect(nested.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'processId',
      'variables.steps.0.constructor',
      'variables.valueOf',
    ]);
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

  it('given a line break or a tab in a name (a dispatch title or certificate, a stamp-log certificate, a sample form file name), then 400 naming the field', async () => {
    const as = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
    const dispatch = await t
      .http()
      .post('/dispatches')
      .set(await as('dept-staff'))
      .send({
        kind: 'stamp',
        title: '开具\n证明',
        content: '请开具。',
        dueDate: '2099-01-01',
        expectedHours: 1,
        targets: ['00000000-0000-4000-8000-000000000000'],
        certificateName: '居住\t证明',
        reportFields: ['姓名', '血压\u001b[0m'],
      });
    expectCleanError(dispatch, 400, 'VALIDATION_FAILED');
    expect(dispatch.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'certificateName',
      'reportFields',
      'title',
    ]);
    expect(dispatch.body.error.details[0].problems[0]).toContain('控制字符');
    const log = await t
      .http()
      .post('/my-community/stamp-log')
      .set(await as('committee'))
      .send({ certificateName: '居住证明\u001b[31m', requesterName: '张\u2028三' });
    expectCleanError(log, 400, 'VALIDATION_FAILED');
    expect(log.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['certificateName', 'requesterName']),
    );
    const form = await t
      .http()
      .post('/stamp-sample-forms')
      .set(await as('city-office'))
      .send({ fileName: '式样\r\n.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0xLjQK' });
    expectCleanError(form, 400, 'VALIDATION_FAILED');
    expect(form.body.error.details.map((d: { field: string }) => d.field)).toEqual(['fileName']);
    // A direction override makes "a\u202egpj.pdf" show as afdp.jpg: refused too.
    const reversed = await t
      .http()
      .post('/stamp-sample-forms')
      .set(await as('city-office'))
      .send({ fileName: 'a\u202egpj.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0xLjQK' });
    expect(reversed.body.error.details.map((d: { field: string }) => d.field)).toEqual(['fileName']);
  });

  it('given a body sent to a route that takes none (claiming a task), then 400 naming each field, not dropped unseen; {} and no body pass', async () => {
    const office = { Authorization: `Bearer ${await t.token('office')}` };
    const missing = '/tasks/00000000-0000-4000-8000-000000000000/claim';
    const noted = await t.http().post(missing).set(office).send({ note: '我来办' });
    expectCleanError(noted, 400, 'VALIDATION_FAILED');
    expect(noted.body.error.details).toEqual([
      { field: 'note', problems: [expect.stringContaining('note')] },
    ]);
    const list = await t.http().post(missing).set(office).set('Content-Type', 'application/json').send('[1]');
    expectCleanError(list, 400, 'VALIDATION_FAILED');
    expect(list.body.error.details[0].field).toBe('body');
    // Nothing to say: the route answers as it would (the task is missing).
    expect((await t.http().post(missing).set(office).send({})).body.error.code).toBe('TASK_NOT_FOUND');
    expect((await t.http().post(missing).set(office)).body.error.code).toBe('TASK_NOT_FOUND');
  });

  it('given an object with thousands of keys (validating it would hold the server for seconds), then 400 JSON_TOO_MANY_KEYS at once, also without a token', async () => {
    const body = JSON.stringify({
      username: 'x',
      password: 'y',
      ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 1])),
    });
    const t0 = Date.now();
    const res = await t.http().post('/auth/login').set('Content-Type', 'application/json').send(body);
    expectCleanError(res, 400, 'JSON_TOO_MANY_KEYS');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('given hundreds of unknown keys or a key of thousands of characters, then the answer names 50 fields cut short and how many more (it does not grow with what was sent)', async () => {
    const long = 'x'.repeat(5_000);
    const res = await t
      .http()
      .post('/auth/login')
      .send({
        username: 'x',
        password: 'y',
        [long]: 1,
        ...Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`k${i}`, 1])),
      });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const details = res.body.error.details as { field: string; problems: string[] }[];
    expect(details).toHaveLength(51);
    expect(details[0]).toEqual({
      field: `${'x'.repeat(100)}…`,
      problems: [expect.stringContaining('不是可接受的字段')],
    });
    expect(details[0].problems[0]).not.toContain('x'.repeat(101));
    expect(details[50]).toEqual({
      field: 'body',
      problems: [expect.stringContaining('另有 851 处问题未列出')],
    });
    expect(JSON.stringify(res.body).length).toBeLessThan(20_000);
    // A route that takes no body says the same.
    const claim = await t
      .http()
      .post('/tasks/00000000-0000-4000-8000-000000000000/claim')
      .set({ Authorization: `Bearer ${await t.token('office')}` })
      .send(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 1])));
    expect(claim.body.error.details).toHaveLength(51);
    expect(claim.body.error.details[50].problems[0]).toContain('另有 10 处问题未列出');
  });

  it('given a value of the wrong type where a field says 须填写, or a nested field, then it is told the type under the field’s Chinese label', async () => {
    const res = await t
      .http()
      .post('/stamp-imports')
      .set({ Authorization: `Bearer ${await t.token('city-office')}` })
      .send({ fileName: 123, contentBase64: 'QQ==', document: { scope: 5 } });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const said = Object.fromEntries(
      (res.body.error.details as { field: string; problems: string[] }[]).map((d) => [d.field, d.problems]),
    );
    expect(said.fileName).toEqual([expect.stringMatching(/^文件名（fileName）须为文本/)]);
    expect(said['document.scope']).toEqual([expect.stringMatching(/^适用范围（scope）须为文本/)]);
    // Left out, it is still told to fill it in.
    const missing = await t
      .http()
      .post('/stamp-imports')
      .set({ Authorization: `Bearer ${await t.token('city-office')}` })
      .send({ contentBase64: 'QQ==' });
    expect(missing.body.error.details).toContainEqual({
      field: 'fileName',
      problems: [expect.stringContaining('文件名（fileName）须填写')],
    });
  });

  it('given thousands of NUL characters in a list, with no token, then the answer names 50 fields and how many more (it answered 28 MB)', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .send({ username: Array.from({ length: 5_000 }, () => '\u0000'), password: 'x' });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toHaveLength(51);
    expect(res.body.error.details[50].problems[0]).toContain('另有 4950 处问题未列出');
    expect(JSON.stringify(res.body).length).toBeLessThan(20_000);
  });

  it('given a body that is not a JSON object (a list, a text, a number) on a route that takes one, then 400 in Chinese naming body', async () => {
    const committee = { Authorization: `Bearer ${await t.token('committee')}` };
    for (const body of ['"x"', '[]', '0', 'true']) {
      const res = await t
        .http()
        .post('/my-community/received-work/00000000-0000-4000-8000-000000000000/accept')
        .set(committee)
        .set('Content-Type', 'application/json')
        .send(body);
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([
        { field: 'body', problems: [expect.stringContaining('须为一个 JSON 对象')] },
      ]);
    }
  });

  it('given a query field given twice where one value is asked (?page=1&page=2, ?name=a&name=b), then it is told once to give one value', async () => {
    const res = await t
      .http()
      .get('/tasks?page=1&page=2')
      .set({ Authorization: `Bearer ${await t.token('office')}` });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const page = res.body.error.details.find((d: { field: string }) => d.field === 'page');
    expect(page.problems).toEqual([
      expect.stringMatching(/^页码（page）只能有一个值，不能是列表或重复填写（收到 2 个）/),
    ]);
    const name = await t.http().get('/stamp-items/check?name=a&name=b');
    expect(name.body.error.details).toEqual([
      { field: 'name', problems: [expect.stringContaining('只能有一个值')] },
    ]);
  });

  it('given a list of texts holding a number ([1]), then it is told its entries must be text, not also their lengths', async () => {
    const res = await t
      .http()
      .post('/dispatches')
      .set({ Authorization: `Bearer ${await t.token('dept-staff')}` })
      .send({ kind: 'report', reportFields: [1] });
    const fields = res.body.error.details.find((d: { field: string }) => d.field === 'reportFields');
    expect(fields.problems).toEqual([expect.stringContaining('每一项须为文本')]);
  });

  it('given a number field sent as text, then it is told only that it must be a number (not also its bounds, which contradict it)', async () => {
    const res = await t
      .http()
      .post('/dispatches')
      .set({ Authorization: `Bearer ${await t.token('dept-staff')}` })
      .send({
        kind: 'task',
        title: '随访',
        content: '请随访。',
        dueDate: '2099-01-01',
        expectedHours: 'abc',
        targets: ['00000000-0000-4000-8000-000000000000'],
        reportFields: [...Array.from({ length: 200 }, (_, i) => `字段${i}`), 3],
      });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    const of = (field: string) =>
      res.body.error.details.find((d: { field: string }) => d.field === field)?.problems as string[];
    expect(of('expectedHours')).toHaveLength(1);
    expect(of('expectedHours')[0]).toContain('须为数字');
    // An array's rules of its items say nothing of the array: its own size is told too, at once.
    expect(of('reportFields').join()).toContain('200');
    // A required text sent as null is told it may not be null, not only that it must be text.
    const nulled = await t
      .http()
      .post('/dispatches')
      .set({ Authorization: `Bearer ${await t.token('dept-staff')}` })
      .send({ kind: 'task', title: null, targetPopulation: null });
    const title = nulled.body.error.details.find((d: { field: string }) => d.field === 'title').problems;
    expect(title).toEqual([expect.stringContaining('须为文本')]);
    // An optional one sent as null is told to leave it out.
    const optional = nulled.body.error.details.find((d: { field: string }) => d.field === 'targetPopulation');
    expect(optional.problems).toEqual([expect.stringContaining('不能为 null')]);
  });

  it('given a missing body, then 400', async () => {
    const res = await t.http().post('/auth/login');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/VALIDATION_FAILED|MALFORMED_JSON/);
  });

  it('given an empty body sent as JSON (the header, no bytes), then it is no body: a route that takes none answers as usual, one that takes one names its fields', async () => {
    const committee = { Authorization: `Bearer ${await t.token('committee')}` };
    const none = await t
      .http()
      .post('/my-community/received-work/00000000-0000-4000-8000-000000000000/accept')
      .set(committee)
      .set('Content-Type', 'application/json')
      .send('');
    expectCleanError(none, 404, 'RECEIVED_WORK_NOT_FOUND');
    const login = await t.http().post('/auth/login').set('Content-Type', 'application/json').send(' ');
    expectCleanError(login, 400, 'VALIDATION_FAILED');
    expect(login.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['username', 'password']),
    );
  });

  it('given a body in GBK, or a charset other than UTF-8, then 400 BODY_NOT_UTF8 and nothing stored as replacement characters', async () => {
    // {"username":"张三","password":"x"} with 张三 in GBK (D5C5 C8FD).
    const gbk = Buffer.concat([
      Buffer.from('{"username":"'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
      Buffer.from('","password":"x"}'),
    ]);
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      // The bytes as they are (the client library would write a Buffer out as JSON).
      .serialize(() => gbk as unknown as string)
      .send({});
    expectCleanError(res, 400, 'BODY_NOT_UTF8');
    expect(res.body.error.message).toContain('UTF-8');
    const declared = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json; charset=gbk')
      .send('{"username":"a","password":"x"}');
    expectCleanError(declared, 400, 'BODY_NOT_UTF8');
    const utf8 = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json; charset=UTF-8')
      .send('{"username":"张三","password":"x"}');
    expect(utf8.body.error.code).toBe('LOGIN_FAILED');
  });

  it('given malformed JSON, then 400 MALFORMED_JSON', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "a", ');
    expectCleanError(res, 400, 'MALFORMED_JSON');
  });

  it('given a key that would poison prototypes (__proto__, constructor.prototype), then 400 JSON_KEY_NOT_ALLOWED saying so (not that it is no JSON)', async () => {
    for (const body of [
      '{"username": "a", "password": "b", "__proto__": {"isAdmin": true}}',
      '{"username": "a", "password": "b", "constructor": {"prototype": {"isAdmin": true}}}',
    ]) {
      const res = await t.http().post('/auth/login').set('Content-Type', 'application/json').send(body);
      expectCleanError(res, 400, 'JSON_KEY_NOT_ALLOWED');
      expect(res.body.error.message).toContain('__proto__');
    }
  });

  it('given a body over the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t
      .http()
      .post('/admin/units')
      .set(admin)
      .send({ code: 'X1', name: 'x'.repeat(70_000), kind: 'COMMUNITY', parentId: street });
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

  describe('given JSON nested thousands of levels deep', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    it.each([
      ['post', '/auth/login'],
      ['post', '/admin/units'],
      ['patch', '/admin/units/00000000-0000-4000-8000-000000000000'],
      ['post', '/applications'],
      ['post', '/tasks/00000000-0000-4000-8000-000000000000/complete'],
    ])('when %s %s, then 400 JSON_TOO_DEEP, not a stack overflow', async (method, url) => {
      const deepObject = '{"a":'.repeat(8_000) + '1' + '}'.repeat(8_000);
      for (const body of [deep, deepObject]) {
        const res = await t
          .http()
          [method as 'post'](url)
          .set(admin)
          .set('Content-Type', 'application/json')
          .send(body);
        expectCleanError(res, 400, 'JSON_TOO_DEEP');
      }
    });

    it('when the content type names a charset, then the limit holds too', async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(deep);
      expectCleanError(res, 400, 'JSON_TOO_DEEP');
      const ok = await t
        .http()
        .post('/auth/login')
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ username: 'nobody', password: 'x' }));
      expectCleanError(ok, 401, 'LOGIN_FAILED');
    });

    it('when brackets are only inside strings, then they do not count', async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'nobody', password: '['.repeat(100) + '{'.repeat(20) + '\\"[' });
      expectCleanError(res, 401, 'LOGIN_FAILED');
    });
  });

  describe('given a NUL character (\\u0000) in a string', () => {
    const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
      res.body.error.details.map((d) => d.field).sort();

    it('when logging in, then 400 VALIDATION_FAILED naming the field', async () => {
      const res = await t.http().post('/auth/login').send({ username: 'office\u0000', password: 'x' });
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toEqual(['username']);
    });

    it('when in a query parameter, then 400 naming it', async () => {
      const res = await t.http().get('/admin/users?q=a%00b').set(admin);
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toEqual(['q']);
    });

    it('when in a path parameter, then 400 naming it', async () => {
      const res = await t.http().put('/work-calendar/2027-01-0%00').set(admin).send({ workingDay: true });
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toEqual(['day']);
    });

    it('when deep in a body or in a key, then 400 naming every path', async () => {
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      const res = await t
        .http()
        .post('/applications')
        .set(staff)
        .send({ title: 'a\u0000', reportFields: ['ok', 'b\u0000'], ['con\u0000tent']: 'x' });
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toEqual(['con\u0000tent', 'reportFields.1', 'title']);
    });
  });

  describe('given half of a surrogate pair (text that is not Unicode) in a string', () => {
    it('when it would be stored as JSON, then 400 VALIDATION_FAILED naming every field, not a 500', async () => {
      const office = { Authorization: `Bearer ${await t.token('office')}` };
      const res = await t
        .http()
        .post('/admission/negative-list/changes')
        .set(office)
        .set('Content-Type', 'application/json')
        .send(
          '{"action":"add","code":"lone_surrogate","nameZh":"x\\ud800y","keywords":["ok","\\udfff"],"reason":"理由充分"}',
        );
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'keywords.1',
        'nameZh',
      ]);
      expect(JSON.stringify(res.body.error.details)).toContain('not Unicode');
    });

    it('when the pair is whole (an emoji), then it is fine', async () => {
      const res = await t.http().post('/auth/login').send({ username: 'nobody😀', password: '密码😀' });
      expectCleanError(res, 401, 'LOGIN_FAILED');
    });
  });

  describe('given an x-request-id', () => {
    it('when it is longer than 64 characters or not printable, then a generated one is used and the change is recorded under it', async () => {
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      for (const sent of ['r'.repeat(65), 'two words', 'x'.repeat(5000)]) {
        const res = await t
          .http()
          .post('/applications')
          .set(staff)
          .set('x-request-id', sent)
          .send({ title: '长' });
        expect(res.status).toBe(201);
        const id = res.headers['x-request-id'];
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        const rows = await t.dataSource.query(
          `SELECT request_id FROM audit_record WHERE entity_id = $1
           UNION ALL SELECT request_id FROM audit_pending WHERE entity_id = $1`,
          [res.body.id],
        );
        expect(rows.map((r: { request_id: string }) => r.request_id)).toEqual([id]);
      }
    });

    it('when it fits (64 printable characters), then it is kept', async () => {
      const sent = 'T'.repeat(64);
      const res = await t.http().get('/org/units/not-a-uuid').set(admin).set('x-request-id', sent);
      expect(res.headers['x-request-id']).toBe(sent);
      expect(res.body.error.requestId).toBe(sent);
    });
  });

  describe('given numbers and dates beyond what the database holds', () => {
    const fieldsOf = (res: { body: { error: { details: { field: string }[] } } }) =>
      res.body.error.details.map((d) => d.field).sort();

    it.each([2 ** 31, 1e308, 2 ** 53 + 2])(
      'when a version is %d, then 400 VALIDATION_FAILED naming version',
      async (version) => {
        const user = (await t.dataSource.query(`SELECT id FROM app_user WHERE username = 'committee-2'`))[0];
        const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
        const draft = await t.http().post('/applications').set(staff).send({ title: '版本' });
        const sec = { Authorization: `Bearer ${await t.token('secadmin')}` };
        for (const res of [
          await t.http().patch(`/admin/units/${street}`).set(admin).send({ name: '东华街道', version }),
          await t.http().patch(`/admin/users/${user.id}`).set(admin).send({ displayName: '王', version }),
          await t
            .http()
            .put(`/admin/users/${user.id}/roles`)
            .set(sec)
            .send({ roles: ['COMMITTEE'], version }),
          await t.http().patch(`/applications/${draft.body.id}`).set(staff).send({ title: '新', version }),
        ]) {
          expectCleanError(res, 400, 'VALIDATION_FAILED');
          expect(fieldsOf(res)).toEqual(['version']);
        }
      },
    );

    it.each([1e-320, 5e-324, 1e-7])(
      'when hours per month are %d (a number written with an exponent), then no 500',
      async (hours) => {
        const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
        const res = await t
          .http()
          .post('/applications')
          .set(staff)
          .send({ title: '工时', workloadHoursPerMonth: hours });
        expect(res.status).toBeLessThan(500);
        if (res.status !== 201) {
          expectCleanError(res, 400, 'VALIDATION_FAILED');
          expect(fieldsOf(res)).toEqual(['workloadHoursPerMonth']);
        }
      },
    );

    it('when a list page size is far beyond a page, then 400 naming pageSize', async () => {
      const res = await t.http().get('/admin/users?pageSize=99999999999999999999').set(admin);
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(['pageSize']);
    });

    it.each(['2027-02-30', '0000-01-01', '1899-12-31'])(
      'when a calendar day is %s, then 400 naming day',
      async (day) => {
        const res = await t.http().put(`/work-calendar/${day}`).set(admin).send({ workingDay: false });
        expectCleanError(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(res)).toEqual(['day']);
      },
    );

    it.each([-8.64e15, '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z'])(
      'when a delegation lasts until %s, then 400 naming until',
      async (until) => {
        const leader = { Authorization: `Bearer ${await t.token('leader')}` };
        const user = (await t.dataSource.query(`SELECT id FROM app_user WHERE username = 'office'`))[0];
        const res = await t
          .http()
          .post('/tasks/00000000-0000-4000-8000-000000000000/delegate')
          .set(leader)
          .send({ toUserId: user.id, until });
        expectCleanError(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(res)).toEqual(['until']);
      },
    );
  });

  describe('given null for an optional field', () => {
    const fieldsOf = (res: { body: { error: { details: { field: string }[] } } }) =>
      res.body.error.details.map((d) => d.field).sort();

    it('when a draft field is null, then it is cleared (lists become empty)', async () => {
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      const community = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001001'`))[0]
        .id;
      const created = await t
        .http()
        .post('/applications')
        .set(staff)
        .send({ title: '清空', targetCommunityIds: null, reportFields: null, content: null });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        title: '清空',
        targetCommunityIds: [],
        reportFields: [],
        content: null,
      });
      const filled = await t
        .http()
        .patch(`/applications/${created.body.id}`)
        .set(staff)
        .send({ targetCommunityIds: [community], reportFields: ['姓名'], version: created.body.version });
      expect(filled.status).toBe(200);
      const cleared = await t
        .http()
        .patch(`/applications/${created.body.id}`)
        .set(staff)
        .send({ title: null, targetCommunityIds: null, reportFields: null, version: filled.body.version });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ title: null, targetCommunityIds: [], reportFields: [] });
    });

    it('when a comment is null, then it counts as no comment', async () => {
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      const draft = await t.http().post('/applications').set(staff).send({ title: '意见' });
      const res = await t
        .http()
        .post(`/applications/${draft.body.id}/submit`)
        .set(staff)
        .send({ comment: null });
      expectCleanError(res, 400, 'APPLICATION_INCOMPLETE');
    });

    it('when a field that cannot be empty is null, then 400 naming it', async () => {
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'committee-2'`)
      )[0];
      const unit = await t
        .http()
        .patch(`/admin/units/${street}`)
        .set(admin)
        .send({ name: null, active: null, version: 1 });
      expectCleanError(unit, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(unit)).toEqual(['active', 'name']);
      const account = await t
        .http()
        .patch(`/admin/users/${user.id}`)
        .set(admin)
        .send({ displayName: null, unitId: null, active: null, version: user.version });
      expectCleanError(account, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(account)).toEqual(['active', 'displayName', 'unitId']);
      expect(JSON.stringify(account.body.error.details)).toContain('may not be null');
      const office = { Authorization: `Bearer ${await t.token('office')}` };
      const change = await t
        .http()
        .post('/admission/negative-list/changes')
        .set(office)
        .send({ action: 'update', code: 'fundraising_quota', nameZh: null, keywords: null, reason: '更新' });
      expectCleanError(change, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(change)).toEqual(['keywords', 'nameZh']);
    });
  });

  describe('given the same thing created many times at the same moment', () => {
    const statuses = (rs: { status: number }[]) =>
      [...new Set(rs.map((r) => r.status))].sort((a, b) => a - b);

    it('when 100 funding registrations carry one idempotency key, half for another community, in two server processes, then one transfer answers the matching ones and the others are refused 409', async () => {
      const unit: Record<string, string> = {};
      for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
      const { itemId } = await admitApplication(
        t,
        makeApplication([unit['339901001001'], unit['339901001002']], {
          title: '并发登记',
          content: '并发登记经费划转。',
        }),
      );
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      // Half name another community with the same key: the key answers the one transfer to the requests that
      // match it, and refuses the others (another community under a used key is another transfer).
      const body = (i: number) => ({
        communityId: unit[i % 2 ? '339901001002' : '339901001001'],
        amountFen: 300000,
        account: '东华街道社区财务专账 6222',
        reference: 'GK-race',
        idempotencyKey: 'race-key-1',
      });
      second = await startTestApp({}, { databaseUrl: t.databaseUrl });
      const other = second;
      const rs = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i < 50 ? t : other).http().post(`/admitted-items/${itemId}/transfers`).set(staff).send(body(i)),
        ),
      );
      expect(statuses(rs)).toEqual([200, 409]);
      const ok = rs.filter((r) => r.status === 200);
      expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(ok.map((r) => r.body.communityId)).size).toBe(1);
      for (const r of rs.filter((x) => x.status === 409)) expectCleanError(r, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(rs.filter((r) => r.status === 409)).toHaveLength(50);
      const rows = await t.dataSource.query('SELECT id FROM funding_transfer WHERE item_id = $1', [itemId]);
      expect(rows).toEqual([{ id: ok[0].body.id }]);
    });

    it('when 20 accounts of one username are created, then one is and the others answer 409 USERNAME_TAKEN', async () => {
      const rs = await Promise.all(
        Array.from({ length: 20 }, () =>
          t
            .http()
            .post('/admin/users')
            .set(admin)
            .send({ username: 'race-user', displayName: '并发', unitId: street, password: 'Race@2026x' }),
        ),
      );
      expect(statuses(rs)).toEqual([201, 409]);
      expect(rs.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of rs.filter((x) => x.status === 409)) expectCleanError(r, 409, 'USERNAME_TAKEN');
    });

    it('when 20 units of one code are created, then one is and the others answer 409 UNIT_CODE_TAKEN', async () => {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t
            .http()
            .post('/admin/units')
            .set(admin)
            .send({ code: 'RACE-CODE', name: `并发社区${i}`, kind: 'COMMUNITY', parentId: street }),
        ),
      );
      expect(statuses(rs)).toEqual([201, 409]);
      expect(rs.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of rs.filter((x) => x.status === 409)) expectCleanError(r, 409, 'UNIT_CODE_TAKEN');
    });

    it('when 20 admins set the same members of a leading group, then each change applies in turn', async () => {
      const ids: Record<string, string> = {};
      for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) ids[r.code] = r.id;
      const memberUnitIds = [ids['339901-GA'], ids['339901-RS'], ids['339901-CZ']];
      const rs = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.http().put(`/admin/leading-groups/${ids['339901-LG']}`).set(admin).send({ memberUnitIds }),
        ),
      );
      expect(statuses(rs)).toEqual([200]);
      const members = await t.dataSource.query(
        'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
        [ids['339901-LG']],
      );
      expect(members.map((m: { unit_id: string }) => m.unit_id)).toEqual(memberUnitIds);
    });
  });

  it('given every route of the OpenAPI document, then malformed bodies, queries and ids never answer 5xx', async () => {
    const byPermission: Record<string, string> = {
      'unit:manage': 'sysadmin',
      'user:read': 'sysadmin',
      'user:manage': 'sysadmin',
      'workflow:admin': 'sysadmin',
      'role:assign': 'secadmin',
      'account:unlock': 'secadmin',
      'audit:read': 'auditor',
      'application:draft': 'dept-staff',
      'funding:register': 'dept-staff',
      'application:sign': 'leader',
      'funding:confirm': 'finance',
      'evaluation:record': 'committee',
    };
    const doc = (await t.http().get('/docs-json')).body;
    const values: unknown[] = ['a\u0000b', '\ud800', null, 2 ** 31, 1e308, -1e308, 'x'.repeat(3000), [], {}];
    const failures: string[] = [];
    let sent = 0;
    for (const [path, ops] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const [method, op] of Object.entries<Record<string, unknown>>(ops)) {
        if (path === '/auth/logout') continue;
        const permission = (op['x-permissions'] as string[])[0];
        const auth = { Authorization: `Bearer ${await t.token(byPermission[permission] ?? 'office')}` };
        const ref = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> })
          ?.content?.['application/json']?.schema?.$ref;
        const fields = Object.keys(
          ref ? (doc.components.schemas[ref.split('/').pop()!].properties ?? {}) : {},
        );
        const queries = ((op.parameters ?? []) as { in: string; name: string }[])
          .filter((q) => q.in === 'query')
          .map((q) => q.name);
        const requests: [string, unknown][] = [];
        const ids = path.includes('{')
          ? [street, '%00', '%ED%A0%80', '2027-02-30', 'x'.repeat(300)]
          : [street];
        for (const id of ids) {
          const url = path.replace(/\{[^}]+\}/g, id);
          requests.push([url, undefined]);
          for (const q of queries)
            for (const v of ['%00', '%ED%A0%80', '99999999999999999999', '0000-00-00'])
              requests.push([`${url}?${q}=${v}`, undefined]);
          if (method !== 'get' && id === street)
            for (const v of values) requests.push([url, Object.fromEntries(fields.map((f) => [f, v]))]);
        }
        for (const [url, body] of requests) {
          const res = await (body === undefined
            ? t.http()[method as 'get'](url).set(auth)
            : t
                .http()
                [method as 'post'](url)
                .set(auth)
                .send(body as object));
          sent++;
          if (res.status >= 500)
            failures.push(
              `${res.status} ${method.toUpperCase()} ${url} ${JSON.stringify(body)?.slice(0, 80)}`,
            );
        }
      }
    }
    expect(sent).toBeGreaterThan(400);
    expect(failures).toEqual([]);
  }, 120_000);

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
