import type { WorkflowTask } from './workflow-task.entity.js';
import type { FormSpec, WorkflowRegistry } from './workflow.registry.js';

/**
 * The decisions a task may end with, in one place: the completion checks a decision against them, and the task's
 * answer offers them (code, Chinese label, what must come with it) so that a client never keeps its own copy.
 */

/** A step without a form ends with `complete`; an added signature (加签) signs for or against. */
export const NO_FORM_DECISIONS = ['complete'];
export const ADDED_SIGNER_DECISIONS = ['approve', 'reject'];

/** Chinese names of the decisions the flows use; a form may name its own (FormSpec.labels). */
export const DECISION_LABELS: Readonly<Record<string, string>> = {
  approve: '同意',
  return: '退回补正',
  reject: '不同意',
  record: '备案',
  complete: '办结',
  resubmit: '重新提交',
  withdraw: '撤回申请',
};

/**
 * A decision as the case's history tells it: its label without the hint a button carries (拒绝不成立, not
 * 拒绝不成立（写明法律依据）).
 */
export function decisionHistoryLabel(spec: FormSpec | undefined, code: string): string {
  return (spec?.labels?.[code] ?? DECISION_LABELS[code] ?? code).replace(/（[^）]*）$/u, '');
}

/** One decision a task offers, with what it needs. */
export interface TaskDecision {
  code: string;
  label: string;
  /** A comment (the reason) must come with it. */
  commentRequired: boolean;
  /** Every deficiency must be listed with it (退回, 一次告知). */
  deficienciesRequired: boolean;
}

/** The decision codes a task may end with, the first being the default. */
export function decisionCodes(
  registry: Pick<WorkflowRegistry, 'form'>,
  t: Pick<WorkflowTask, 'formKey' | 'kind'>,
): string[] {
  if (t.kind === 'added-signer') return ADDED_SIGNER_DECISIONS;
  const spec = t.formKey ? registry.form(t.formKey) : undefined;
  return spec?.decisions ?? NO_FORM_DECISIONS;
}

/** A return (退回) lists its deficiencies, all at once. */
export function deficienciesRequired(decision: string): boolean {
  return decision === 'return';
}

/** Whether the form wants a comment (the reason) with this decision. */
export function commentRequired(spec: FormSpec | undefined, decision: string): boolean {
  return !!spec?.commentRequired?.includes(decision);
}

/** The decisions a task offers, in its form's order, with their Chinese labels and what each needs. */
export function describeDecisions(
  registry: Pick<WorkflowRegistry, 'form'>,
  t: Pick<WorkflowTask, 'formKey' | 'kind'>,
): TaskDecision[] {
  const spec = t.kind === 'step' && t.formKey ? registry.form(t.formKey) : undefined;
  return decisionCodes(registry, t).map((code) => ({
    code,
    label: spec?.labels?.[code] ?? DECISION_LABELS[code] ?? code,
    commentRequired: commentRequired(spec, code),
    deficienciesRequired: deficienciesRequired(code),
  }));
}
