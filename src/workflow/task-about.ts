import type { EntityManager } from 'typeorm';
import { Role } from '../auth/permissions.js';
import { addDays, cstDay, isWorkingDay, type CalendarExceptions } from '../common/china-time.js';
import type { CaseSubject, WorkflowRegistry } from './workflow.registry.js';

/**
 * What a task is about, in words a clerk reads: the subject of its case (as its domain describes it), who
 * holds it or who may claim it, and how much time is left. The inbox, one task and one case show it.
 */

/** How a task stands against its time limit: none set, in time, its last working day, past it. */
export type DueState = 'none' | 'onTime' | 'dueSoon' | 'overdue';
export const DUE_STATES: DueState[] = ['none', 'onTime', 'dueSoon', 'overdue'];

export interface TaskAbout {
  processId: string;
  processName: string | null;
  businessKey: string | null;
  subject: CaseSubject | null;
  assigneeName: string | null;
  /** Who may claim it, in words (units and their role, or named people). */
  candidates: string;
  /** Who holds it: the holder's name, or 待认领 with its candidates. */
  holder: string;
  /** The last China day to act on it (its limit ends at that day's 24:00). */
  dueDay: string | null;
  /** Working days left from today through its last day (today counts when a working day); 0 when overdue. */
  workingDaysLeft: number | null;
  /** Whether today is a working day, so one of workingDaysLeft (含今天); null when overdue, unlimited or closed. */
  todayCounted: boolean | null;
  dueState: DueState;
  overdue: boolean;
}

/** The roles a task may name, as the people who hold them say it. */
const ROLE_LABELS: Record<string, string> = {
  [Role.SYSTEM_ADMIN]: '系统管理员',
  [Role.SECURITY_ADMIN]: '安全管理员',
  [Role.AUDITOR]: '审计员',
  [Role.DEPT_STAFF]: '经办人',
  [Role.DEPT_HEAD]: '部门负责人',
  [Role.OFFICE]: '领导小组办公室',
  [Role.MEMBER]: '成员单位代表',
  [Role.LEADER]: '主要领导',
  [Role.FINANCE]: '财政',
  [Role.STREET]: '街道办事处',
  [Role.COMMITTEE]: '社区居委会',
};

/**
 * The columns a task query adds for the words (with `LEFT JOIN app_user hu ON hu.id = t.assignee_id`): the
 * holder's name and the names of the candidate units and people, read in the same statement.
 */
export const TASK_NAMES_COLUMNS = `hu.display_name AS assignee_name,
       (SELECT array_agg(cu.name ORDER BY cu.name) FROM org_unit cu WHERE cu.id = ANY(t.candidate_unit_ids)) AS candidate_unit_names,
       (SELECT array_agg(cp.display_name ORDER BY cp.display_name) FROM app_user cp WHERE cp.id = ANY(t.candidate_user_ids)) AS candidate_user_names`;
export const TASK_NAMES_JOIN = 'LEFT JOIN app_user hu ON hu.id = t.assignee_id';

/** E.g. 东湖区公安分局（成员单位代表）; 孙正（区领导小组组长）; several joined with 、 and ；. */
export function candidatesText(
  unitNames: string[] | null,
  roles: string[],
  userNames: string[] | null,
): string {
  const parts: string[] = [];
  if (unitNames?.length) {
    const roleText = roles.map((r) => ROLE_LABELS[r] ?? r).join('、');
    parts.push(`${unitNames.join('、')}${roleText ? `（${roleText}）` : ''}`);
  }
  if (userNames?.length) parts.push(userNames.join('、'));
  return parts.length ? parts.join('；') : '无人可办（请领导小组办公室处理）';
}

/** The holder's name, or 待认领 with who may claim it. */
export function holderText(assigneeName: string | null, candidates: string): string {
  return assigneeName ?? `待认领：${candidates}`;
}

/** A task's time left: its last day, the working days to it (today counts), and its state. */
export function dueInfo(
  dueAt: Date | string | null,
  overdueAt: Date | string | null,
  nowMs: number,
  calendar: CalendarExceptions,
  /**
   * Working days counted so far for this calendar (today and last day → count; today alone → 1 if a working
   * day, else 0): a page's tasks share them.
   */
  counted?: Map<string, number>,
): Pick<TaskAbout, 'dueDay' | 'workingDaysLeft' | 'todayCounted' | 'dueState' | 'overdue'> {
  if (!dueAt)
    return {
      dueDay: null,
      workingDaysLeft: null,
      todayCounted: null,
      dueState: 'none',
      overdue: overdueAt !== null,
    };
  const dueMs = new Date(dueAt).getTime();
  const dueDay = cstDay(new Date(dueMs - 1));
  if (overdueAt !== null || dueMs < nowMs)
    return { dueDay, workingDaysLeft: 0, todayCounted: null, dueState: 'overdue', overdue: true };
  const today = cstDay(new Date(nowMs));
  const key = `${today}/${dueDay}`;
  let left = counted?.get(key);
  if (left === undefined) {
    left = 0;
    let day = today;
    for (let guard = 0; day <= dueDay && guard < 3660; guard++, day = addDays(day, 1)) {
      if (isWorkingDay(day, calendar)) left++;
    }
    counted?.set(key, left);
  }
  // Whether today is a working day, kept with the counts (key: the day alone) as 1 or 0.
  let working = counted?.get(today);
  if (working === undefined) {
    working = isWorkingDay(today, calendar) ? 1 : 0;
    counted?.set(today, working);
  }
  return {
    dueDay,
    workingDaysLeft: left,
    todayCounted: working === 1,
    dueState: left <= 1 ? 'dueSoon' : 'onTime',
    overdue: false,
  };
}

const subjectKey = (processId: string, businessKey: string) => `${processId}\u0000${businessKey}`;

/**
 * The subjects of many cases at once: one call of each process's describer (one query per process on the
 * page, not one per task). Answers a lookup; a case with no describer or not described has none.
 */
export async function describeSubjects(
  registry: WorkflowRegistry,
  m: EntityManager,
  cases: { processId: string; businessKey: string | null }[],
): Promise<(processId: string, businessKey: string | null) => CaseSubject | null> {
  const keysByProcess = new Map<string, Set<string>>();
  for (const c of cases) {
    if (c.businessKey === null || !registry.subjectDescriber(c.processId)) continue;
    const keys = keysByProcess.get(c.processId) ?? new Set<string>();
    keys.add(c.businessKey);
    keysByProcess.set(c.processId, keys);
  }
  const found = new Map<string, CaseSubject>();
  await Promise.all(
    [...keysByProcess].map(async ([processId, keys]) => {
      const described = await registry.subjectDescriber(processId)!(m, [...keys]);
      for (const [key, s] of described)
        found.set(subjectKey(processId, key), {
          title: s.title,
          number: s.number ?? null,
          unitName: s.unitName ?? null,
          kind: s.kind ?? null,
          kindName: s.kindName ?? null,
          summary: s.summary ?? null,
        });
    }),
  );
  return (processId, businessKey) =>
    businessKey === null ? null : (found.get(subjectKey(processId, businessKey)) ?? null);
}
