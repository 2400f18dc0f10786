/**
 * Coverage (派单是否在准入范围内): for one piece of work and one community, every reason it is not covered, each
 * with the rule it comes from; a pure function of facts the service gathers (no database, no clock). The service
 * asks the ONE in-force query (admission/in-force.ts) whether the item is in force for the community on the due
 * date; this module only says, when it is not, which of the item's dates or states explains it.
 *
 * Reasons, in the order of priority that picks the headline (a bar in law first, then missing admission, then
 * a mismatch with the item, then lesser faults of form):
 *  1. negative-list            the negative list bars the work (民发〔2015〕136号 §一; an app demand that scores
 *                              online time or check-ins: 国办函〔2026〕12号)
 *  2. stamp-prohibited         a stamp demand for a certificate the registry prohibits on the due date
 *  3. no-admitted-item         no admitted item cited (seed 002 §4) — a stamp demand the registry allows needs
 *                              none: the registry IS the uniformly determined list of stamp items (seed 002 §8)
 *  4. other-department-item    the item cited is another department's
 *  5. not-in-force             the item is not in force for the community on the due date; detail: not-targeted,
 *                              not-started, expired, exited, lapsed, not-funded
 *  6. wrong-kind               the work's kind is not the item's kind
 *  7. stamp-not-listed         a stamp demand for a certificate the registry does not list (seed 002 §8)
 *  8. outside-content          outside the item's authorized content (授权内容) or target population (对象)
 *  9. duplicate-report-field   a report field the community already reports (数据一次采集, seed 002 §7)
 * 10. short-notice             fewer working days between sending and the due date than the item's notice period
 *                              (default 3 working days; 上午发下午要)
 */
import { isWorkingDay, nextDay, type CalendarExceptions } from '../common/china-time.js';
import { formatChinaDate } from '../common/china-time.js';
import type { DispatchKind } from './dispatch.entities.js';

export const REASON_CODES = [
  'covered',
  'negative-list',
  'stamp-prohibited',
  'no-admitted-item',
  'other-department-item',
  'not-in-force',
  'wrong-kind',
  'stamp-not-listed',
  'outside-content',
  'duplicate-report-field',
  'short-notice',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Each reason as a clerk reads it (the console's words), and the committee's own: outside its duties. */
export const REASON_LABELS: Record<ReasonCode | 'outside-duties', string> = {
  covered: '在准入范围内',
  'negative-list': '属于负面清单',
  'stamp-prohibited': '明令取消的证明',
  'no-admitted-item': '未经准入',
  'other-department-item': '引用其他部门的事项',
  'not-in-force': '准入事项届时未在本社区实施',
  'wrong-kind': '工作类型不符',
  'stamp-not-listed': '证明不在清单内',
  'outside-content': '超出授权内容或对象',
  'duplicate-report-field': '重复填报（数据一次采集）',
  'short-notice': '时间过紧',
  'outside-duties': '不属于社区职责',
};

/** Why an item is not in force for a community on the due date. */
export type NotInForceDetail =
  'not-targeted' | 'not-started' | 'expired' | 'exited' | 'lapsed' | 'not-funded';

export interface CoverageReason {
  code: ReasonCode;
  /** A finer code: for not-in-force, which date or state; for outside-content, `content` or `population`. */
  detail?: string;
  /** The rule it comes from, a short Chinese citation. */
  rule: string;
  /** What a clerk reads. */
  message: string;
}

export interface Coverage {
  covered: boolean;
  /** The headline: `covered`, or the first reason by priority. */
  reasonCode: ReasonCode;
  /** Headline first. A covered piece has one: `covered`, citing what covers it. */
  reasons: CoverageReason[];
}

/** Seed 002: 长办发〔2011〕39号. */
export const SEED_002 = '长办发〔2011〕39号《关于进一步加强和改进城市社区建设工作的意见》';

/** The notice period when the item sets none (上午发下午要 is what it forbids). */
export const DEFAULT_NOTICE_WORKING_DAYS = 3;

/** The admitted item's kind each kind of work needs (survey: a statistical report; plaque: an organization). */
export const ITEM_KIND_OF: Record<DispatchKind, string> = {
  task: 'task',
  meeting: 'meeting',
  report: 'report',
  survey: 'report',
  inspection: 'assessment',
  stamp: 'stamp',
  'app-registration': 'app',
  plaque: 'organization',
};

export const KIND_LABELS: Record<string, string> = {
  task: '工作任务',
  meeting: '会议',
  report: '报表台账',
  survey: '调查统计',
  // The admission form's words for the same kinds, so that a clerk reads one name for each.
  inspection: '考评检查',
  stamp: '盖章证明',
  'app-registration': '政务应用/账号（App、工作群）',
  plaque: '组织机构挂牌',
  assessment: '考评检查',
  organization: '组织机构挂牌',
  app: '政务应用/账号',
};

const PRIORITY: ReasonCode[] = REASON_CODES.filter((c) => c !== 'covered');

export interface CoverageWork {
  kind: DispatchKind;
  title: string;
  content: string;
  departmentId: string;
  /** China days, YYYY-MM-DD. */
  sentDay: string;
  dueDate: string;
  /** The target population the work names, if it names one. */
  targetPopulation?: string;
}

export interface CoverageItem {
  id: string;
  admissionNumber: string;
  title: string;
  departmentId: string;
  kind: string;
  authorizedContent: string;
  targetPopulation: string;
  startDate: string;
  endDate: string;
  /** The item's notice period in working days; absent: the default. */
  noticeWorkingDays?: number;
}

/** The item's row for this community (admitted_item_community), when the item targets it. China days. */
export interface CoverageItemCommunity {
  fundingStatus: string;
  enteredDay: string | null;
  exitedDay: string | null;
}

export interface NegativeHit {
  code: string;
  nameZh: string;
  source: string;
}

export interface StampRuling {
  decision: 'allowed' | 'prohibited' | 'not-listed';
  /** The deciding entry's citation (document, list, entry); for not-listed, empty. */
  citation: string;
}

export interface CoverageFacts {
  work: CoverageWork;
  /** The admitted item cited, or null when none is. */
  item: CoverageItem | null;
  /** The in-force query's answer for (item, community, due date). */
  inForce: boolean;
  itemCommunity: CoverageItemCommunity | null;
  calendar: CalendarExceptions;
  /** Report fields the community already reports elsewhere, each with where (an item's number, a dispatch). */
  sharedReportFields: { source: string; fields: string[] }[];
  /** The registry's ruling on the certificate for this community on the due date (stamp demands only). */
  stamp: StampRuling | null;
  negativeHits: NegativeHit[];
}

export function computeCoverage(f: CoverageFacts): Coverage {
  const { work, item } = f;
  const found: CoverageReason[] = [];
  const add = (r: CoverageReason) => found.push(r);

  for (const hit of f.negativeHits)
    add({
      code: 'negative-list',
      detail: hit.code,
      rule: `${hit.source}：${hit.nameZh}`,
      message: `属于负面清单事项（${hit.nameZh}），不得交由社区承担。`,
    });
  if (f.stamp?.decision === 'prohibited')
    add({
      code: 'stamp-prohibited',
      rule: f.stamp.citation,
      message: '所要求的证明属于明令取消、社区不得出具的证明事项。',
    });
  const stampAllowed = work.kind === 'stamp' && f.stamp?.decision === 'allowed';
  if (!item && !stampAllowed)
    add({
      code: 'no-admitted-item',
      rule: `${SEED_002}第4条：未经申报批准而安排给社区的工作，社区有权拒绝`,
      message: '未引用任何准入事项，属未经准入的工作。',
    });
  if (item) {
    const cite = `准入事项${item.admissionNumber}《${item.title}》`;
    if (item.departmentId !== work.departmentId)
      add({
        code: 'other-department-item',
        rule: `${SEED_002}第5条：准入事项须明确授权内容、对象、权限（${cite}属于其他部门）`,
        message: `所引准入事项${item.admissionNumber}不是本部门的事项。`,
      });
    if (!f.inForce) {
      const detail = notInForceDetail(item, f.itemCommunity, work.dueDate);
      add({
        code: 'not-in-force',
        detail,
        rule: `${SEED_002}第5条：须明确时限，划拨工作经费后方可进入社区；准入与退出相结合`,
        message: `${cite}到截止日（${formatChinaDate(work.dueDate)}）时未在本社区实施：${NOT_IN_FORCE_TEXT[detail]}。`,
      });
    }
    if (ITEM_KIND_OF[work.kind] !== item.kind)
      add({
        code: 'wrong-kind',
        rule: `${SEED_002}第5条：准入事项须明确授权内容（${cite}为“${KIND_LABELS[item.kind] ?? item.kind}”）`,
        message: `工作类型“${KIND_LABELS[work.kind]}”与准入事项类型“${KIND_LABELS[item.kind] ?? item.kind}”不符。`,
      });
  }
  if (f.stamp?.decision === 'not-listed')
    add({
      code: 'stamp-not-listed',
      rule: `${SEED_002}第8条：非确定事项，任何部门和单位不得要求社区居委会盖章或出具证明（民发〔2020〕20号）`,
      message: '所要求的证明不在统一确定的社区盖章证明事项清单中。',
    });
  if (item) {
    const outside = outsideContent(item, work);
    for (const detail of outside)
      add({
        code: 'outside-content',
        detail,
        rule: `${SEED_002}第5条：准入事项须明确授权内容、对象（${item.authorizedContent} / ${item.targetPopulation}）`,
        message:
          detail === 'content'
            ? `工作内容超出准入事项的授权内容（${item.authorizedContent}）。`
            : `工作对象超出准入事项的服务对象（${item.targetPopulation}）。`,
      });
  }
  for (const s of f.sharedReportFields)
    if (s.fields.length)
      add({
        code: 'duplicate-report-field',
        rule: `${SEED_002}第7条：确需填报的报表要精简合并，实行资源共享（数据一次采集）`,
        message: `以下填报字段本社区已在${s.source}中填报：${s.fields.join('、')}。`,
      });
  const notice = item?.noticeWorkingDays ?? DEFAULT_NOTICE_WORKING_DAYS;
  const given = workingDaysBetween(work.sentDay, work.dueDate, f.calendar, notice);
  if (given < notice)
    add({
      code: 'short-notice',
      rule: `${SEED_002}第7条：不得随意给社区居委会下达工作任务；派单须至少提前 ${notice} 个工作日（上午发下午要）`,
      message: `从派单到截止只有 ${given} 个工作日，少于 ${notice} 个工作日。`,
    });

  found.sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code));
  if (found.length) return { covered: false, reasonCode: found[0].code, reasons: found };
  const rule = item
    ? `准入事项${item.admissionNumber}《${item.title}》`
    : (f.stamp?.citation ?? '社区盖章证明事项清单');
  return {
    covered: true,
    reasonCode: 'covered',
    reasons: [{ code: 'covered', rule, message: '在准入范围内。' }],
  };
}

const NOT_IN_FORCE_TEXT: Record<NotInForceDetail, string> = {
  'not-targeted': '该事项未准入本社区',
  'not-started': '事项尚未开始',
  expired: '事项已到期',
  exited: '事项已在本社区退出',
  lapsed: '工作经费逾期未到位，事项未进入本社区',
  'not-funded': '工作经费尚未到位，事项尚未进入本社区',
};

/** Which of the item's dates or states explains that it is not in force (asked only when it is not). */
export function notInForceDetail(
  item: Pick<CoverageItem, 'startDate' | 'endDate'>,
  c: CoverageItemCommunity | null,
  day: string,
): NotInForceDetail {
  if (!c) return 'not-targeted';
  if (day < item.startDate) return 'not-started';
  if (day > item.endDate) return 'expired';
  if (c.exitedDay !== null && c.exitedDay <= day) return 'exited';
  if (c.fundingStatus === 'lapsed') return 'lapsed';
  return 'not-funded';
}

/** Terms of a free-text list (授权内容 “随访、登记” → 随访, 登记). */
export function terms(text: string): string[] {
  return text
    .split(/[、，,；;。\s/|]+|以及|和|及|与/)
    .map((t) => t.trim())
    .filter((t) => t.length >= 2);
}

/**
 * The fair check of the item's authorized content and population (its free-text fields): the work's title or
 * content must name at least one term of the authorized content; a work that names its target population must
 * name one term of the item's. An item whose field has no term of two characters or more is not checked on it.
 */
export function outsideContent(
  item: Pick<CoverageItem, 'authorizedContent' | 'targetPopulation'>,
  work: Pick<CoverageWork, 'title' | 'content' | 'targetPopulation'>,
): ('content' | 'population')[] {
  const out: ('content' | 'population')[] = [];
  const text = `${work.title} ${work.content}`;
  const content = terms(item.authorizedContent);
  if (content.length && !content.some((t) => text.includes(t))) out.push('content');
  const population = terms(item.targetPopulation);
  const named = work.targetPopulation?.trim();
  if (named && population.length && !population.some((t) => named.includes(t) || t.includes(named)))
    out.push('population');
  return out;
}

/** Working days after the day of sending up to and including the due date (counted up to `enough`). */
export function workingDaysBetween(
  sentDay: string,
  dueDate: string,
  calendar: CalendarExceptions,
  enough: number,
): number {
  let n = 0;
  for (let day = nextDay(sentDay); day <= dueDate && n < enough; day = nextDay(day))
    if (isWorkingDay(day, calendar)) n++;
  return n;
}

/** Which dispatch kinds ask the negative list under which application kind (`any kind` always). */
export function negativeListHits(
  entries: { code: string; nameZh: string; appliesTo: string; keywords: string[]; source: string }[],
  work: Pick<CoverageWork, 'kind' | 'title' | 'content'> & { scoresOnlineTime?: boolean },
): NegativeHit[] {
  const text = `${work.title} ${work.content}`;
  const kind = ITEM_KIND_OF[work.kind];
  const hits = entries
    .filter(
      (n) => (n.appliesTo === 'any kind' || n.appliesTo === kind) && n.keywords.some((k) => text.includes(k)),
    )
    .map((n) => ({ code: n.code, nameZh: n.nameZh, source: n.source }));
  // 国办函〔2026〕12号: an app demand that scores online time is barred whatever its words.
  if (
    work.kind === 'app-registration' &&
    work.scoresOnlineTime &&
    !hits.some((h) => h.code === APP_SCORING_CODE)
  ) {
    const entry = entries.find((n) => n.code === APP_SCORING_CODE);
    hits.push({
      code: APP_SCORING_CODE,
      nameZh: entry?.nameZh ?? '政务应用要求打卡签到、积分排名、在线时长',
      source: entry?.source ?? '国办函〔2026〕12号',
    });
  }
  return hits;
}

/** The negative-list entry for apps that demand check-ins, points rankings or online time. */
export const APP_SCORING_CODE = 'app_check_in';
