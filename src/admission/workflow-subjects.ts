import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { prepared } from '../common/sql.js';
import type { CaseSubject, SubjectDescriber } from '../workflow/workflow.registry.js';

/**
 * What the cases of the admission domain are about, for the task inbox, one task and one case (each describer
 * answers a page of cases in one query), and which of their variables the office and the department see.
 */

/** The kinds of work (准入审批表 事项类别), as the form names them. */
const KIND_NAMES: Record<string, string> = {
  task: '工作任务',
  meeting: '会议',
  report: '报表台账',
  organization: '组织机构挂牌',
  assessment: '考评检查',
  stamp: '盖章证明',
  app: '政务应用/账号',
};

const CHANGE_NAMES: Record<string, string> = { add: '新增', update: '修改', deactivate: '停用' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = Record<string, string | null>;

/** Each describer's query as a prepared statement (an inbox read sends one per process on its page). */
const statements = new Map<string, string>();
function statementOf(sql: string): string {
  let statement = statements.get(sql);
  if (!statement) {
    statement = prepared(`case_subjects_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`, sql);
    statements.set(sql, statement);
  }
  return statement;
}

async function describe(
  m: EntityManager,
  keys: string[],
  sql: string,
  toSubject: (r: Row) => CaseSubject,
): Promise<Map<string, CaseSubject>> {
  const ids = keys.filter((k) => UUID.test(k));
  if (!ids.length) return new Map();
  const rows: Row[] = await m.query(statementOf(sql), [ids]);
  return new Map(rows.map((r) => [String(r.key), toSubject(r)]));
}

const kindName = (kind: string | null) => (kind ? (KIND_NAMES[kind] ?? kind) : null);

/** 准入申请: the application's title, its number once admitted, the applicant department, its kind. */
export const describeApplications: SubjectDescriber = (m, keys) =>
  describe(
    m,
    keys,
    `SELECT a.id::text AS key, a.title, a.kind, u.name AS unit_name, ai.admission_number AS number
       FROM admission_application a JOIN org_unit u ON u.id = a.applicant_unit_id
       LEFT JOIN admitted_item ai ON ai.application_id = a.id
      WHERE a.id = ANY($1::uuid[])`,
    (r) => ({
      title: r.title ?? '（未填写事项名称）',
      number: r.number,
      unitName: r.unit_name,
      kind: r.kind,
      kindName: kindName(r.kind),
      summary: null,
    }),
  );

/** 准入事项退出: the exiting item's title and number, its department, its kind; where and why it exits. */
export const describeExits: SubjectDescriber = (m, keys) =>
  describe(
    m,
    keys,
    `SELECT p.id::text AS key, ai.title, ai.kind, ai.admission_number AS number, u.name AS unit_name,
            c.name AS community_name, p.reason
       FROM exit_proposal p JOIN admitted_item ai ON ai.id = p.item_id
       JOIN org_unit u ON u.id = ai.department_id
       LEFT JOIN org_unit c ON c.id = p.community_id
      WHERE p.id = ANY($1::uuid[])`,
    (r) => ({
      title: String(r.title),
      number: r.number,
      unitName: r.unit_name,
      kind: r.kind,
      kindName: kindName(r.kind),
      summary: `退出范围：${r.community_name ?? '全部社区'}；理由：${r.reason ?? ''}`,
    }),
  );

/** 突发事件应急准入: the item's title and number, its department, its kind, the emergency. */
export const describeEmergencies: SubjectDescriber = (m, keys) =>
  describe(
    m,
    keys,
    `SELECT ai.id::text AS key, ai.title, ai.kind, ai.admission_number AS number, u.name AS unit_name,
            ai.emergency_reason
       FROM admitted_item ai JOIN org_unit u ON u.id = ai.department_id
      WHERE ai.id = ANY($1::uuid[])`,
    (r) => ({
      title: String(r.title),
      number: r.number,
      unitName: r.unit_name,
      kind: r.kind,
      kindName: kindName(r.kind),
      summary: r.emergency_reason ? `应急事由：${r.emergency_reason}` : null,
    }),
  );

/** 负面清单调整: its text (新增/修改/停用 the entry, by name and code), the proposing office, its reason. */
export const describeNegativeListChanges: SubjectDescriber = (m, keys) =>
  describe(
    m,
    keys,
    `SELECT c.id::text AS key, c.action AS kind, c.code, c.reason, u.name AS unit_name,
            coalesce(c.entry->>'nameZh', n.name_zh) AS entry_name
       FROM negative_list_change c
       LEFT JOIN negative_list_item n ON n.code = c.code
       LEFT JOIN app_user p ON p.id = c.proposed_by
       LEFT JOIN org_unit u ON u.id = p.unit_id
      WHERE c.id = ANY($1::uuid[])`,
    (r) => ({
      title: `${CHANGE_NAMES[String(r.kind)] ?? r.kind}负面清单事项：${r.entry_name ? `${r.entry_name}（${r.code}）` : r.code}`,
      number: null,
      unitName: r.unit_name,
      kind: r.kind,
      kindName: r.kind ? (CHANGE_NAMES[r.kind] ?? r.kind) : null,
      summary: r.reason ? `理由：${r.reason}` : null,
    }),
  );

/**
 * The variables of each process that its case's answer shows: what the office and the department need to
 * follow the case (its object, each step's decision, the countersign tally, the deficiencies sent back, the
 * admitted item and its end). Routing flags (`decision`), the last form and comment (on their task), the
 * checks' verdict when they ran (the application shows its findings and their overrides as they stand) and
 * the engine's own variables stay inside.
 */
export const PUBLIC_VARIABLES: Record<string, string[]> = {
  admission: [
    'applicationId',
    'memberUnits',
    'decisions',
    'countersign',
    'deficiencies',
    'itemId',
    'expiresAt',
    'lapsedCommunities',
  ],
  exit: ['proposalId', 'itemId', 'communities', 'decisions', 'countersign', 'joint'],
  emergency: ['itemId', 'expiresAt', 'fundingDue', 'fundingDeadline'],
  negativeList: ['changeId', 'decisions'],
};
