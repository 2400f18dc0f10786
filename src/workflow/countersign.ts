/** 会签 (countersign): how a multi-instance step's members' decisions decide it. */

export type CountersignRule = 'all' | 'majority' | 'any';

/**
 * 会签 rules: `all` — every member must approve (one rejection decides); `majority` — more than half approve
 * (half or more rejecting decides against); `any` — one approval suffices (all rejecting decides against).
 * Under every rule one member's return (退回, with its deficiencies) decides at once: the countersign ends as
 * returned, neither approved nor rejected — the application goes back to the department for correction,
 * and the members sign again after the resubmission. `reject` counts rejections only (not returns).
 */
export function decideCountersign(
  rule: CountersignRule,
  total: number,
  approve: number,
  reject: number,
  returned = 0,
): { decided: boolean; approved: boolean; returned: boolean } {
  if (returned > 0) return { decided: true, approved: false, returned: true };
  if (rule === 'all')
    return { decided: reject > 0 || approve === total, approved: approve === total, returned: false };
  if (rule === 'majority')
    return {
      decided: approve * 2 > total || reject * 2 >= total,
      approved: approve * 2 > total,
      returned: false,
    };
  return { decided: approve > 0 || reject === total, approved: approve > 0, returned: false };
}

/** The element's rule, from its `countersignRule` extension property (camunda:properties); `all` by default. */
export function countersignRule(behaviour: Record<string, unknown>): CountersignRule {
  const ext = behaviour.extensionElements as
    { values?: { $type?: string; values?: { name?: string; value?: string }[] }[] } | undefined;
  for (const v of ext?.values ?? []) {
    for (const prop of v.values ?? []) {
      if (prop.name === 'countersignRule' && ['all', 'majority', 'any'].includes(prop.value ?? ''))
        return prop.value as CountersignRule;
    }
  }
  return 'all';
}
