/** 会签 (countersign): how a multi-instance step's members' decisions decide it. */

export type CountersignRule = 'all' | 'majority' | 'any';

/**
 * 会签 rules: `all` — every member must approve (one rejection decides); `majority` — more than half approve
 * (half or more rejecting decides against); `any` — one approval suffices (all rejecting decides against).
 */
export function decideCountersign(
  rule: CountersignRule,
  total: number,
  approve: number,
  reject: number,
): { decided: boolean; approved: boolean } {
  if (rule === 'all') return { decided: reject > 0 || approve === total, approved: approve === total };
  if (rule === 'majority')
    return { decided: approve * 2 > total || reject * 2 >= total, approved: approve * 2 > total };
  return { decided: approve > 0 || reject === total, approved: approve > 0 };
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
