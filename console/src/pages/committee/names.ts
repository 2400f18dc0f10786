/** Chinese names of the exit codes (准入退出) the committee pages show. */

export const EXIT_STATUS_NAMES: Record<string, string> = {
  open: '审议中',
  exited: '已退出',
  kept: '保留实施',
};

export const EXIT_ORIGIN_NAMES: Record<string, string> = {
  community: '本社区提出',
  department: '主管部门提出',
  office: '领导小组办公室提出',
  evaluation: '居民满意度低于标准，自动提出',
};

/** An exit proposal concerning the committee's community (`GET /my-community/exit-proposals`). */
export interface ExitProposalRow {
  id: string;
  itemId: string;
  admissionNumber: string;
  itemTitle: string;
  communityId: string | null;
  origin: string;
  reason: string;
  status: string;
  createdAt: string;
  decidedAt: string | null;
}

/** A residents' evaluation of the committee's community (`GET /my-community/evaluations`). */
export interface EvaluationRow {
  id: string;
  itemId: string;
  admissionNumber: string;
  itemTitle: string;
  period: string;
  respondents: number;
  satisfied: number;
  satisfaction: number;
  recordedAt: string;
}

/** A problem of a request as the API lists it in `details` (400 VALIDATION-type answers). */
export interface Problem {
  field?: string;
  problems?: string[];
  message?: string;
}

/** The problems about one field, joined; '' when none. */
export function problemOf(problems: Problem[], field: string): string {
  return problems
    .filter((p) => p.field === field || p.field?.startsWith(`${field}.`))
    .flatMap((p) => p.problems ?? (p.message ? [p.message] : []))
    .join('；');
}
