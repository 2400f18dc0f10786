import net from 'node:net';
import { startTestApp, type TestApp } from './helpers/app.js';
import { makeApplication } from './helpers/admission.js';

/** Chinese up to the first Chinese full stop, English after it. */
function chineseFirst(message: unknown): boolean {
  const text = String(message);
  const stop = text.indexOf('。');
  return stop > 0 && /[\u4e00-\u9fff]/.test(text.slice(0, stop)) && /[A-Za-z]{2,}/.test(text.slice(stop));
}

interface Envelope {
  error: { code: string; message: string; details?: unknown };
}

/** Sends bytes as they are (no client encodes the address) and reads the answer. */
function raw(t: TestApp, request: string): Promise<{ status: number; headers: string; body: Envelope }> {
  const port = (t.app.getHttpServer().address() as { port: number }).port;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.from(request, 'utf8')));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(rest.join('\r\n\r\n')) });
    });
  });
}

/** Every message a client can meet — validation, query strings, Fastify's and Node's own refusals, unknown routes —
 * is in the error envelope, Chinese first with English after, naming the field and saying what to do. */
describe('every message in Chinese', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '65536' });
    staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
    admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
  });
  afterAll(async () => {
    await t.close();
  });

  function expectEnvelope(body: Envelope, code: string) {
    expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(chineseFirst(body.error.message)).toBe(true);
  }

  describe('given invalid fields in a body', () => {
    it('when a department drafts an application with wrong types, then every problem is Chinese first and names its field', async () => {
      const community = (
        await t.dataSource.query(`SELECT id FROM org_unit WHERE kind = 'COMMUNITY' LIMIT 1`)
      )[0].id;
      const res = await t
        .http()
        .post('/applications')
        .set(staff)
        .send(
          makeApplication([community], {
            title: 42,
            kind: 'chore',
            targetCommunityIds: ['not-a-uuid'],
            workloadHoursPerMonth: -1,
          }),
        );
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'VALIDATION_FAILED');
      const details: { field: string; problems: string[] }[] = res.body.error.details;
      expect(details.map((d) => d.field).sort()).toEqual(
        expect.arrayContaining(['kind', 'targetCommunityIds', 'title', 'workloadHoursPerMonth']),
      );
      for (const d of details) {
        for (const p of d.problems) {
          expect(chineseFirst(p)).toBe(true);
          expect(p).toContain(d.field.split('.')[0]);
        }
      }
      const title = details.find((d) => d.field === 'title')!.problems;
      expect(title).toContain('标题（title）须为文本。title must be text.');
      expect(details.find((d) => d.field === 'targetCommunityIds')!.problems[0]).toMatch(
        /^目标社区（targetCommunityIds）的每一项须为 UUID/,
      );
    });

    it('when logging in with a number as the name, then the message is Chinese first', async () => {
      const res = await t.http().post('/auth/login').send({ username: 3, password: 'x' });
      expectEnvelope(res.body, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].problems).toEqual(
        expect.arrayContaining(['用户名（username）须为文本。username must be text.']),
      );
    });
  });

  it('given a bad query string, when listing the work calendar, then each parameter is named in Chinese', async () => {
    const res = await t.http().get('/work-calendar?page=0&pageSize=abc').set(staff);
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'VALIDATION_FAILED');
    const byField = Object.fromEntries(
      res.body.error.details.map((d: { field: string; problems: string[] }) => [d.field, d.problems]),
    );
    expect(byField.page).toContain('页码（page）不能小于 1。page must not be less than 1.');
    expect(byField.pageSize).toContain('每页条数（pageSize）须为整数。pageSize must be a whole number.');
  });

  describe('given an address that is not URL-encoded', () => {
    it('when a resident types a Chinese community name into the query, then 400 URL_NOT_ENCODED names the parameter', async () => {
      const res = await raw(
        t,
        'GET /admitted-items?community=幸福社区&page=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'URL_NOT_ENCODED');
      expect(res.body.error.message).toContain('encodeURIComponent');
      expect(res.body.error.details).toEqual([
        { field: 'community', problems: [expect.stringMatching(/^查询参数 community含有未编码的字符/)] },
      ]);
    });

    it('when the path has Chinese in it, then 400 URL_NOT_ENCODED names the path', async () => {
      const res = await raw(t, 'GET /申请 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'URL_NOT_ENCODED');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'path' })]);
    });
  });

  it('given malformed JSON, then 400 MALFORMED_JSON in Chinese', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": ');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'MALFORMED_JSON');
  });

  it('given a body over the limit, then 413 PAYLOAD_TOO_LARGE in Chinese', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .send({ username: 'x'.repeat(70_000), password: 'y' });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
  });

  describe('given a body that is not JSON', () => {
    it.each([
      ['text/plain', '{"username":"a","password":"b"}'],
      ['application/x-www-form-urlencoded', 'username=a&password=b'],
      ['application/xml', '<login/>'],
    ])('when it is sent as %s, then 415 UNSUPPORTED_MEDIA_TYPE says to send JSON', async (type, body) => {
      const res = await t.http().post('/auth/login').set('Content-Type', type).send(body);
      expect(res.status).toBe(415);
      expectEnvelope(res.body, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.error.message).toContain('application/json');
    });
  });

  describe('given a method the address does not support', () => {
    it('when deleting the work calendar, then 405 METHOD_NOT_ALLOWED with the methods it allows', async () => {
      const res = await t.http().delete('/work-calendar').set(admin);
      expect(res.status).toBe(405);
      expectEnvelope(res.body, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body.error.details).toEqual({ allowed: ['GET', 'HEAD'] });
    });

    it('when the method is not HTTP at all, then 405 in the envelope', async () => {
      const res = await raw(t, 'FETCH /work-calendar HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(405);
      expectEnvelope(res.body, 'METHOD_NOT_ALLOWED');
    });
  });

  it('given an unknown route, then 404 NOT_FOUND in Chinese', async () => {
    const res = await t.http().get('/no/such/route').set(admin);
    expect(res.status).toBe(404);
    expectEnvelope(res.body, 'NOT_FOUND');
    const post = await t.http().post('/no/such/route').set(admin).send({});
    expect(post.status).toBe(404);
    expectEnvelope(post.body, 'NOT_FOUND');
  });

  it('given an HTTP version the server does not speak, then 400 saying to use HTTP/1.1', async () => {
    const res = await raw(t, 'GET /health HTTP/3.0\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'BAD_REQUEST');
    expect(res.body.error.message).toContain('HTTP/1.1');
  });

  it('given a Content-Length that is not a number, then 400 saying what it must be', async () => {
    const res = await raw(
      t,
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}',
    );
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'BAD_REQUEST');
    expect(res.body.error.message).toContain('Content-Length');
  });
});
