import { api, ApiError, errorText } from '../../api';
import { whenSignedOut } from '../../session';

/** What the office's pages share: Chinese names of states, unit names, and the API's errors as they come. */

/** The office's own steps of the admission flow: their tasks are the office's to handle (办理). */
export const OFFICE_STEPS = ['completeness', 'scopeReview'];

/** A case as `GET /workflow-instances/:id` answers it (InstanceDto), the fields these pages read. */
export interface CaseInfo {
  id: string;
  processId: string;
  processName: string | null;
  businessKey: string | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  variables: Record<string, unknown>;
  tasks: CaseTask[];
}

export interface CaseTask {
  id: string;
  elementId: string;
  name: string | null;
  status: string;
  kind: string;
  assigneeId: string | null;
  assigneeName: string | null;
  decision: string | null;
  dueAt: string | null;
  overdueAt: string | null;
  completedAt: string | null;
  loopItem: unknown;
}

const unitNames = new Map<string, Promise<string>>();
// Another user may sign in next in this tab, and see other units: the names asked for this one are forgotten.
whenSignedOut(() => unitNames.clear());

/** A unit's name (`GET /org/units/:id`), asked once per unit; a unit this user may not see shows as 未知单位. */
export function unitName(id: string): Promise<string> {
  let name = unitNames.get(id);
  if (!name) {
    name = api<{ name: string }>('GET', `/org/units/${encodeURIComponent(id)}`).then(
      (u) => u.name,
      (e: unknown) => {
        unitNames.delete(id);
        if (e instanceof ApiError && e.status === 404) return '未知单位';
        throw e;
      },
    );
    unitNames.set(id, name);
  }
  return name;
}

/** The names of several units at once, by id. */
export async function unitNamesOf(ids: Iterable<string>): Promise<Record<string, string>> {
  const unique = [...new Set(ids)];
  const names = await Promise.all(unique.map(unitName));
  return Object.fromEntries(unique.map((id, i) => [id, names[i]]));
}

/** A field problem of a 400 answer (`error.details`). */
export interface FieldProblem {
  field?: string;
  problems?: string[];
  message?: string;
}

/** The message to show for a failed call (none for a 401: the console goes back to login by itself). */
export const messageOf = errorText;

/** The field problems of a failed call, keyed by field (`keywords.0` counts for `keywords`). */
export function fieldProblemsOf(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return out;
  for (const p of e.details as FieldProblem[]) {
    if (!p?.field) continue;
    const field = p.field.split('.')[0];
    const text = (p.problems ?? (p.message ? [p.message] : [])).join('；');
    out[field] = out[field] ? `${out[field]}；${text}` : text;
  }
  return out;
}

/** The automatic steps of the shipped flows (workflows/*.bpmn) by their element ids: where an incident stopped a case. */
export const AUTOMATIC_STEP_NAMES: Record<string, string> = {
  markReturned: '退回补正',
  markResubmitted: '重新提交',
  markWithdrawn: '撤回申请',
  checks: '自动审查',
  admit: '编号公布，进入经费划转',
  lapseUnfunded: '未到位社区失效',
  expire: '到期自动退出',
  markRejected: '不予准入',
  fundingUnsettled: '经费未到位社区标记逾期',
  weigh: '汇总共同认定意见',
  applyExit: '退出生效',
  keep: '保留事项',
  apply: '调整生效',
  decline: '不予调整',
};
