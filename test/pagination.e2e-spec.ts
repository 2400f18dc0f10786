import { startTestApp, type TestApp } from './helpers/app.js';

interface PageBody<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

describe('lists answer pages with their total: nothing cut silently', () => {
  let t: TestApp;
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every page of a list, in order, as `user`. */
  async function allPages<T>(user: string | null, url: string, pageSize: number): Promise<PageBody<T>[]> {
    const pages: PageBody<T>[] = [];
    for (let page = 1; page <= 100; page++) {
      let req = t.http().get(`${url}${url.includes('?') ? '&' : '?'}page=${page}&pageSize=${pageSize}`);
      if (user) req = req.set(await auth(user));
      const res = await req;
      expect(res.status).toBe(200);
      pages.push(res.body as PageBody<T>);
      if (page * pageSize >= res.body.total) return pages;
    }
    throw new Error(`${url}: more than 100 pages`);
  }

  it('given seven drafts, when they are read three at a time, then three pages hold each once with the total 7', async () => {
    const created: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const res = await t
        .http()
        .post('/applications')
        .set(await auth('dept-staff'))
        .send({ title: `分页草稿 ${i}` });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const pages = await allPages<{ id: string }>('dept-staff', '/applications', 3);
    expect(pages.map((p) => [p.page, p.pageSize, p.total, p.items.length])).toEqual([
      [1, 3, 7, 3],
      [2, 3, 7, 3],
      [3, 3, 7, 1],
    ]);
    const ids = pages.flatMap((p) => p.items.map((a) => a.id));
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort()).toEqual([...created].sort());
    // Last changed first: the newest draft leads.
    expect(ids[0]).toBe(created[6]);

    const past = await t
      .http()
      .get('/applications?page=4&pageSize=3')
      .set(await auth('dept-staff'));
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ items: [], total: 7, page: 4, pageSize: 3 });
  });

  it('given no page asked for, then the first page of 50 with the total', async () => {
    const res = await t.http().get('/admission/statutory-areas');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 50, total: 16 });
    expect(res.body.items).toHaveLength(16);
  });

  it('given the statutory areas five at a time, then four pages hold all sixteen in code order, none twice', async () => {
    const pages = await allPages<{ code: string }>(null, '/admission/statutory-areas', 5);
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 5, 1]);
    const codes = pages.flatMap((p) => p.items.map((a) => a.code));
    expect(codes).toHaveLength(16);
    expect(new Set(codes).size).toBe(16);
    expect(codes).toEqual([...codes].sort());
  });

  it('given the organization two units at a time, then every visible unit comes once and the total is their number', async () => {
    const pages = await allPages<{ id: string }>('sysadmin', '/org/units', 2);
    const ids = pages.flatMap((p) => p.items.map((u) => u.id));
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM org_unit');
    expect(pages[0].total).toBe(n);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
  });

  it('given the audit trail after a record, then its pages start after it and hold each record once', async () => {
    await t.token('auditor'); // logged in first: the login is a record too
    const [{ seq }] = await t.dataSource.query('SELECT min(seq)::text AS seq FROM audit_record');
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_record WHERE seq > $1', [
      seq,
    ]);
    const pages = await allPages<{ seq: string }>('auditor', `/audit?afterSeq=${seq}`, 4);
    const seqs = pages.flatMap((p) => p.items.map((r) => r.seq));
    expect(pages[0].total).toBe(n);
    expect(seqs).toHaveLength(n);
    expect(seqs.map(Number)).toEqual([...seqs.map(Number)].sort((a, b) => a - b));
    expect(Number(seqs[0])).toBeGreaterThan(Number(seq));
  });

  it.each([
    ['pageSize=201', 'pageSize'],
    ['pageSize=0', 'pageSize'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=abc', 'page'],
    ['pageSize=2.5', 'pageSize'],
  ])('given %s, then 400 VALIDATION_FAILED naming %s', async (query, field) => {
    for (const [user, url] of [
      [null, '/admission/statutory-areas'],
      ['dept-staff', '/applications'],
      ['office', '/workflow-incidents'],
    ] as const) {
      let req = t.http().get(`${url}?${query}`);
      if (user) req = req.set(await auth(user));
      const res = await req;
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
  });
});
