import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

const HUBIN = '339902001001'; // 湖滨社区, 西山区 of 示范市 (3399): only the national and city lists apply
const CITY_DOC = '示民发〔2021〕15号';
/** The limit this file runs with (ATTACHMENT_MAX_BYTES). */
const MAX = 4096;

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, 'utf8');
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Reads a binary answer as a Buffer (supertest parses only text and JSON by itself). */
function binary(res: Response & NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/**
 * Sample forms (证明式样) of stamp-list entries (issue 13 §1, 民发〔2020〕20号: each retained certificate's service
 * guide has its sample form): uploaded by an office, named by an entry of its proposal, public once published.
 */
describe('stamp-list sample forms (证明式样)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ATTACHMENT_MAX_BYTES: String(MAX) });
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const upload = async (u: string | null, fileName: string, contentType: string, content: Buffer) =>
    t
      .http()
      .post('/stamp-sample-forms')
      .set(u ? await auth(u) : {})
      .send({ fileName, contentType, contentBase64: content.toString('base64') });
  const download = async (id: string, u: string | null = null) =>
    t
      .http()
      .get(`/stamp-sample-forms/${id}`)
      .set(u ? await auth(u) : {})
      .buffer(true)
      .parse(binary as never);
  const propose = async (u: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/stamp-proposals')
      .set(await auth(u))
      .send(body);
  const proposalCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_proposal'))[0].n);

  async function cityList(): Promise<{ listKey: string; entries: Record<string, string> }> {
    const lists = await t.http().get('/stamp-lists').query({ scope: '3399', type: 'allowed' });
    const row = lists.body.items.find((l: { documentNumber: string }) => l.documentNumber === CITY_DOC);
    const detail = await t.http().get(`/stamp-lists/${row.listKey}`);
    return {
      listKey: row.listKey,
      entries: Object.fromEntries(
        detail.body.entryHistory.map((e: { name: string; entryKey: string }) => [e.name, e.entryKey]),
      ),
    };
  }

  const cityForm = pdf('居住证明式样（示范市）');
  let cityFormId = '';
  let cityProposal = { proposalId: '', instanceId: '' };

  it('given the city office, when it uploads a PDF sample form, then it answers its id, name, type, size and SHA-256, and the upload is audited', async () => {
    const res = await upload('city-office', '居住证明式样.pdf', 'application/pdf', cityForm);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fileName: '居住证明式样.pdf',
      contentType: 'application/pdf',
      sizeBytes: cityForm.length,
      sha256: sha(cityForm),
    });
    cityFormId = res.body.id;
    const [audit] = await t.dataSource.query(
      `SELECT action, data FROM audit_record WHERE entity_id = $1 ORDER BY seq`,
      [cityFormId],
    );
    expect(audit).toMatchObject({ action: 'stamp-sample-form.uploaded', data: { sha256: sha(cityForm) } });

    const image = await upload('office', '式样.png', 'image/png', png);
    expect(image.status).toBe(201);
  });

  it('given a file over the limit, another type, or content that is not what its type says, then 413 and 415 with codes, nothing stored', async () => {
    const before = Number(
      (await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_sample_form'))[0].n,
    );
    const big = Buffer.concat([pdf('big'), Buffer.alloc(MAX, 0x20)]);
    const tooBig = await upload('city-office', '大.pdf', 'application/pdf', big);
    expect([tooBig.status, tooBig.body.error.code]).toEqual([413, 'STAMP_SAMPLE_FORM_TOO_LARGE']);
    expect(tooBig.body.error.details.maxBytes).toBe(MAX);

    const word = await upload(
      'city-office',
      '式样.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
    );
    expect([word.status, word.body.error.code]).toEqual([415, 'STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED']);
    expect(word.body.error.message).toContain('PDF、PNG、JPEG');

    // Said to be a PDF, but a PNG; said to be a PNG, but text: the content decides.
    const pngAsPdf = await upload('city-office', '式样.pdf', 'application/pdf', png);
    expect([pngAsPdf.status, pngAsPdf.body.error.code]).toEqual([415, 'STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED']);
    const textAsPng = await upload('city-office', '式样.png', 'image/png', Buffer.from('<html>hi</html>'));
    expect([textAsPng.status, textAsPng.body.error.code]).toEqual([
      415,
      'STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED',
    ]);
    const jpegAsJpeg = await upload('city-office', '式样.jpg', 'image/jpeg', Buffer.from([0xff, 0xd8]));
    expect(jpegAsJpeg.status).toBe(415);

    const path = await upload('city-office', '../式样.pdf', 'application/pdf', cityForm);
    expect([path.status, path.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);

    // Only the offices that may propose stamp-list changes upload; nobody without a token.
    const dept = await upload('dept-staff', '式样.pdf', 'application/pdf', cityForm);
    expect([dept.status, dept.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const anonymous = await upload(null, '式样.pdf', 'application/pdf', cityForm);
    expect(anonymous.status).toBe(401);

    const after = Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_sample_form'))[0].n);
    expect(after).toBe(before);
  });

  it('given a sample form no published entry names, then only its office reads it: the public, another unit and a missing id answer 404 alike', async () => {
    const own = await download(cityFormId, 'city-office');
    expect(own.status).toBe(200);
    expect(Buffer.compare(own.body as Buffer, cityForm)).toBe(0);
    expect(own.headers['cache-control']).toBe('private, no-store');

    const anonymous = await download(cityFormId);
    expect([anonymous.status, JSON.parse(String(anonymous.body)).error.code]).toEqual([
      404,
      'STAMP_SAMPLE_FORM_NOT_FOUND',
    ]);
    for (const u of ['committee', 'office', 'city-leader']) {
      const other = await download(cityFormId, u);
      expect([u, other.status]).toEqual([u, 404]);
    }
    const missing = await download('00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    const notAnId = await download('not-an-id');
    expect(notAnId.status).toBe(404);
    // A token that is not valid reads as nobody's.
    const badToken = await t
      .http()
      .get(`/stamp-sample-forms/${cityFormId}`)
      .set('Authorization', 'Bearer a.b.c');
    expect(badToken.status).toBe(404);
  });

  it('given a proposal naming another unit’s sample form or one that does not exist, then 400 naming the field, and nothing is proposed', async () => {
    const before = await proposalCount();
    const body = (sampleFormAttachmentId: string) => ({
      scopeCode: '339901',
      summary: '东湖区保留清单',
      changes: [
        {
          kind: 'new-list',
          list: {
            title: '东湖区社区出具证明事项保留清单',
            documentNumber: '东民发〔2027〕9号',
            issuedBy: '东湖区民政局',
            issuedOn: '2027-01-02',
            listType: 'allowed',
            effectiveFrom: '2027-02-01',
          },
          entries: [
            {
              name: '辖区居民养老服务登记证明',
              legalBasis: '东民发〔2027〕9号 第1项',
              sampleFormAttachmentId,
            },
          ],
        },
      ],
    });
    for (const id of [cityFormId, '00000000-0000-4000-8000-000000000000']) {
      const res = await propose('office', body(id));
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.error.details).toEqual([
        {
          field: 'changes.0.entries.0.sampleFormAttachmentId',
          problems: [expect.stringContaining('证明式样')],
        },
      ]);
    }
    const malformed = await propose('office', body('x'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].field).toBe('changes.0.entries.0.sampleFormAttachmentId');
    expect(await proposalCount()).toBe(before);
  });

  it('given the city office proposes 居住证明 with its sample form, then the diff names the file and the approving leader reads it before publication', async () => {
    const { entries } = await cityList();
    const res = await propose('city-office', {
      scopeCode: '3399',
      summary: '居住证明附证明式样',
      changes: [
        {
          kind: 'change-entry',
          entryKey: entries['居住证明'],
          change: { effectiveFrom: '2027-02-01', sampleFormAttachmentId: cityFormId },
        },
      ],
    });
    expect(res.status).toBe(201);
    cityProposal = res.body;
    const detail = await t
      .http()
      .get(`/stamp-proposals/${cityProposal.proposalId}`)
      .set(await auth('city-leader'));
    expect(detail.body.diff[0].fields).toContainEqual({
      field: 'sampleForm',
      label: '证明式样',
      before: null,
      after: '居住证明式样.pdf',
    });

    const leader = await download(cityFormId, 'city-leader');
    expect(leader.status).toBe(200);
    expect(Buffer.compare(leader.body as Buffer, cityForm)).toBe(0);
    // The district's leader approves nothing of the city: still missing for it, and for the public.
    expect((await download(cityFormId, 'leader')).status).toBe(404);
    expect((await download(cityFormId)).status).toBe(404);
    // Proposed is not published: the public answer has no sample form yet.
    const check = await t
      .http()
      .get('/stamp-items/check')
      .query({ name: '居住证明', community: HUBIN, date: '2027-02-01' });
    expect(check.body.item.sampleForm).toBeNull();
  });

  it('given the leader approves, then anyone downloads it without a token, with the same bytes, SHA-256, its UTF-8 name and cache headers; the check, the search and the list carry it', async () => {
    const approved = await act(t, 'city-leader', cityProposal.instanceId, 'leaderApprove', {
      decision: 'approve',
      comment: '同意',
    });
    expect(approved.status).toBe(200);

    const file = await download(cityFormId);
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, cityForm)).toBe(0);
    expect(sha(file.body as Buffer)).toBe(sha(cityForm));
    expect(file.headers['x-content-sha256']).toBe(sha(cityForm));
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(
      `inline; filename="sample-form.pdf"; filename*=UTF-8''${encodeURIComponent('居住证明式样.pdf')}`,
    );
    expect(file.headers['cache-control']).toBe('public, max-age=86400');
    expect(file.headers.etag).toBe(`"${sha(cityForm)}"`);
    expect(file.headers['x-content-type-options']).toBe('nosniff');

    const sampleForm = {
      id: cityFormId,
      fileName: '居住证明式样.pdf',
      url: `/stamp-sample-forms/${cityFormId}`,
    };
    const check = await t
      .http()
      .get('/stamp-items/check')
      .query({ name: '开个居住证明', community: HUBIN, date: '2027-02-01' });
    expect(check.status).toBe(200);
    expect(check.body.decision).toBe('allowed');
    expect(check.body.item.sampleForm).toEqual(sampleForm);
    // The url is the download route.
    expect((await download(check.body.item.sampleForm.url.split('/').pop())).status).toBe(200);
    // Before the new version's day the old one answers, without a sample form.
    const earlier = await t
      .http()
      .get('/stamp-items/check')
      .query({ name: '居住证明', community: HUBIN, date: '2027-01-31' });
    expect(earlier.body.item.sampleForm).toBeNull();

    const search = await t
      .http()
      .get('/stamp-items')
      .query({ q: '居住证明', community: HUBIN, date: '2027-02-01' });
    const row = search.body.items.find((r: { item: { name: string } }) => r.item.name === '居住证明');
    expect(row.item.sampleForm).toEqual(sampleForm);
    const other = search.body.items.find((r: { item: { name: string } }) => r.item.name !== '居住证明');
    if (other) expect(other.item.sampleForm).toBeNull();

    const { listKey } = await cityList();
    const list = await t.http().get(`/stamp-lists/${listKey}`);
    const entry = list.body.entryHistory.find((e: { name: string }) => e.name === '居住证明');
    expect(entry.versions.map((v: { sampleForm: unknown }) => v.sampleForm)).toEqual([null, sampleForm]);
    expect(entry.versions[1].changes).toContainEqual({
      field: 'sampleForm',
      label: '证明式样',
      before: null,
      after: '居住证明式样.pdf',
    });
  });

  it('given a published sample form, then another office may name it in its own proposal (it is public already)', async () => {
    const res = await propose('office', {
      scopeCode: '339901',
      summary: '东湖区保留清单，沿用市里的居住证明式样',
      changes: [
        {
          kind: 'new-list',
          list: {
            title: '东湖区社区出具证明事项保留清单',
            documentNumber: '东民发〔2027〕9号',
            issuedBy: '东湖区民政局',
            issuedOn: '2027-01-02',
            listType: 'allowed',
            effectiveFrom: '2027-02-01',
          },
          entries: [
            {
              name: '辖区居民养老服务登记证明',
              legalBasis: '东民发〔2027〕9号 第1项',
              sampleFormAttachmentId: cityFormId,
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
  });
});
