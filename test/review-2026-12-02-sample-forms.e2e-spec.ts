import { startTestApp, type TestApp } from './helpers/app.js';

/**
 * Review 2026-12-02: a sample form (证明式样) declared with a content type that is the name of a property every
 * object has answers 415 like any other type not allowed, never 500.
 */
describe('review: sample form uploads declaring an odd content type', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'given the content type %s, when an office uploads, then 415 STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED',
    async (contentType) => {
      const res = await t
        .http()
        .post('/stamp-sample-forms')
        .set({ Authorization: `Bearer ${await t.token('office')}` })
        .send({
          fileName: '式样.pdf',
          contentType,
          contentBase64: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64'),
        });
      expect([res.status, res.body.error?.code]).toEqual([415, 'STAMP_SAMPLE_FORM_TYPE_NOT_ALLOWED']);
    },
  );
});
