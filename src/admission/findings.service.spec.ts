import type { EntityManager } from 'typeorm';
import type { FormCheckContext } from '../workflow/workflow.registry.js';
import type { Finding } from './admission-application.entity.js';
import { AdmissionFindings, unresolvedFindings } from './findings.service.js';

const override = {
  role: 'office' as const,
  userId: 'u',
  displayName: '王民',
  unitId: 'o',
  unitName: '办公室',
  at: '2026-12-01T00:00:00.000Z',
  reason: '理由',
};
const FINDINGS: Finding[] = [
  { check: 'statutory-scope', code: 'statutory-scope', result: 'pass', message: '' },
  { check: 'negative-list', code: 'negative-list', result: 'fail', message: '命中负面清单' },
  { check: 'duplicates', code: 'duplicates', result: 'warn', message: '' },
  { check: 'lead-time', code: 'lead-time', result: 'fail', message: '不足', override },
];

/** The guard with a manager that holds one application with these findings. */
function guardOf(findings: Finding[]) {
  const manager = { query: async () => [{ findings }] } as unknown as EntityManager;
  // The guard reads only the step's manager: the services for overrides are not needed here.
  const none = undefined as never;
  const service = new AdmissionFindings(none, none, none, none);
  return (elementId: string, decision: string) =>
    service.guard({
      manager,
      instance: { id: 'i1', processId: 'admission', businessKey: 'a1', ownerUnitId: null, startedBy: null },
      elementId,
      decision,
      form: {},
      actor: {},
    } as FormCheckContext);
}

describe('findings that bind (issue 11 item 1)', () => {
  it('given findings, then only the failing ones not overridden are unresolved', () => {
    expect(unresolvedFindings(FINDINGS).map((f) => f.code)).toEqual(['negative-list']);
  });

  it.each(['scopeReview', 'countersign', 'leaderSign'])(
    'given an unresolved failing finding, when approved at %s, then 409 FINDINGS_UNRESOLVED names it',
    async (element) => {
      await expect(guardOf(FINDINGS)(element, 'approve')).rejects.toMatchObject({
        code: 'FINDINGS_UNRESOLVED',
        details: [{ code: 'negative-list', check: 'negative-list', overridableBy: 'leader' }],
      });
    },
  );

  it('given an unresolved failing finding, then rejecting, returning and the department head’s approval go through', async () => {
    const guard = guardOf(FINDINGS);
    for (const [element, decision] of [
      ['scopeReview', 'reject'],
      ['countersign', 'return'],
      ['leaderSign', 'reject'],
      ['deptApprove', 'approve'],
    ])
      await expect(guard(element, decision)).resolves.toBeUndefined();
  });

  it('given every failing finding overridden, then approval goes through', async () => {
    const all = FINDINGS.map((f) => (f.result === 'fail' ? { ...f, override } : f));
    await expect(guardOf(all)('leaderSign', 'approve')).resolves.toBeUndefined();
  });
});
