import type { TestApp } from './app.js';

/**
 * Overrides every unresolved failing finding of an application with a written reason, as the demo office does
 * (a negative-list hit or a certificate the stamp registry prohibits: as the principal leader, the only one who may). For tests whose fixture fails a check on
 * purpose or by its dates (a start within the lead time) and that walk on past the office's scope review.
 * Answers the codes overridden.
 */
export async function overrideFailingFindings(
  t: TestApp,
  applicationId: string,
  reason = '测试：书面说明理由予以放行。',
): Promise<string[]> {
  const as = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const app = await t
    .http()
    .get(`/applications/${applicationId}`)
    .set(await as('office'));
  if (app.status !== 200) throw new Error(`application ${applicationId}: ${JSON.stringify(app.body)}`);
  const failing = (
    app.body.findings as { code: string; check: string; result: string; override?: unknown }[]
  ).filter((f) => f.result === 'fail' && !f.override);
  for (const f of failing) {
    const user = f.check === 'negative-list' || f.check === 'stamp-registry' ? 'leader' : 'office';
    const res = await t
      .http()
      .post(`/applications/${applicationId}/findings/${f.code}/override`)
      .set(await as(user))
      .send({ reason });
    if (res.status !== 200) throw new Error(`${user} overriding ${f.code}: ${JSON.stringify(res.body)}`);
  }
  return failing.map((f) => f.code);
}
