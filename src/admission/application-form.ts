/*
 * The printable 社区工作准入审批表 (seed 002 §4: a department applies in writing to the same-level leading group;
 * the office reviews, the member units countersign, the principal leader signs). A pure function from the
 * gathered data to one self-contained HTML page for A4: no script, no external resource, every value escaped.
 */
import { formatChinaDate } from '../common/china-time.js';
import type { AdmissionApplication, Finding } from './admission-application.entity.js';

/** The application's columns the form prints. */
export type FormApplication = Pick<
  AdmissionApplication,
  | 'id'
  | 'status'
  | 'kind'
  | 'title'
  | 'content'
  | 'legalBasisDocument'
  | 'legalBasisArticle'
  | 'statutoryArea'
  | 'targetScope'
  | 'authorizedContent'
  | 'targetPopulation'
  | 'powers'
  | 'startDate'
  | 'endDate'
  | 'workloadHoursPerMonth'
  | 'frequency'
  | 'fundingPerCommunityFen'
  | 'fundingSource'
  | 'supportOffered'
  | 'contactName'
  | 'contactPhone'
  | 'reportFields'
  | 'noticeWorkingDays'
  | 'findings'
  | 'decisionReason'
  | 'withdrawalReason'
  | 'submittedAt'
  | 'createdAt'
>;

/** One opinion given at a review: what was decided, by whom (name and unit), when. */
export interface FormOpinion {
  /** The step, for a section holding several (e.g. the office's completeness and scope reviews). */
  step: string | null;
  decision: string | null;
  comment: string | null;
  /** A return's deficiencies (一次告知), as stored: strings or `{ field?, problem }`. */
  deficiencies: unknown[];
  person: string | null;
  unit: string | null;
  at: Date | null;
  /** 加签: a signature added to the step. */
  addedSigner: boolean;
}

/** 成员单位会签: one row per member unit, with its opinions (none yet: an empty row to sign on paper). */
export interface FormMemberRow {
  unitName: string;
  opinions: FormOpinion[];
}

export interface ApplicationFormData {
  application: FormApplication;
  applicantUnitName: string | null;
  leadingGroupName: string | null;
  createdByName: string | null;
  statutoryAreaName: string | null;
  targetUnitName: string | null;
  targetCommunityNames: string[];
  /** How many communities the funding is for (the list, or the communities under the target unit). */
  communityCount: number | null;
  regularizesItemNumber: string | null;
  admissionNumber: string | null;
  attachments: { fileName: string; sizeBytes: number }[];
  department: FormOpinion[];
  office: FormOpinion[];
  members: FormMemberRow[];
  leader: FormOpinion[];
  printedAt: Date;
}

const KINDS: Record<string, string> = {
  task: '工作任务',
  meeting: '会议',
  report: '报表台账',
  organization: '组织机构挂牌',
  assessment: '考评检查',
  stamp: '盖章证明',
  app: '政务应用/账号',
};

const STATUSES: Record<string, string> = {
  draft: '草稿（未提交）',
  in_review: '审批中',
  returned: '退回补正',
  rejected: '不予准入',
  awaiting_funding: '已签批，待经费到位',
  admitted: '已准入',
  withdrawn: '已撤回',
  terminated: '已终止',
};

const DECISIONS: Record<string, string> = {
  approve: '同意',
  reject: '不同意',
  return: '退回补正',
  resubmit: '补正后重新提交',
  withdraw: '撤回申请',
  complete: '已办理',
};

const CHECKS: Record<string, string> = {
  'statutory-scope': '法定协助范围',
  'negative-list': '负面清单',
  duplicates: '重复事项',
  'lead-time': '提前申请期限',
  'stamp-registry': '盖章证明事项清单',
};

/** The statuses whose decision reason the form prints. */
const REASONED: string[] = ['rejected', 'returned', 'terminated'];

const RESULTS: Record<string, string> = { pass: '通过', warn: '提示', fail: '不通过' };

/** Escapes a value for HTML text and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Fen (a whole number, as the database's bigint string) as yuan, exact: 1234567 → 12,345.67元. */
export function formatYuan(fen: string | number | bigint): string {
  let n = BigInt(fen);
  const negative = n < 0n;
  if (negative) n = -n;
  const whole = (n / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (n % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${cents}元`;
}

const label = (map: Record<string, string>, code: string | null | undefined) =>
  code ? (map[code] ?? code) : '';

/** Text with its line breaks kept. */
const text = (v: unknown) => escapeHtml(v).replace(/\r?\n/g, '<br>');

const row = (th: string, td: string, span = 3) => `<tr><th>${th}</th><td colspan="${span}">${td}</td></tr>`;
const pair = (th1: string, td1: string, th2: string, td2: string) =>
  `<tr><th>${th1}</th><td>${td1}</td><th>${th2}</th><td>${td2}</td></tr>`;

function deficiencyText(d: unknown): string {
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    const problem = o.problem ?? o.message ?? o.text ?? JSON.stringify(o);
    return o.field ? `${String(o.field)}：${String(problem)}` : String(problem);
  }
  return String(d);
}

function opinionHtml(o: FormOpinion): string {
  const parts: string[] = [];
  const head = [o.step ? `【${escapeHtml(o.step)}】` : '', o.addedSigner ? '（加签）' : ''].join('');
  parts.push(
    `<div class="decision">${head}${escapeHtml(label(DECISIONS, o.decision)) || '（未填写）'}</div>`,
  );
  if (o.comment) parts.push(`<div class="comment">${text(o.comment)}</div>`);
  if (o.deficiencies.length)
    parts.push(
      `<ol class="deficiencies">${o.deficiencies.map((d) => `<li>${text(deficiencyText(d))}</li>`).join('')}</ol>`,
    );
  parts.push(
    `<div class="sign">签字人：<span class="person">${escapeHtml(o.person ?? '')}</span>` +
      `${o.unit ? `\u3000单位：<span class="unit">${escapeHtml(o.unit)}</span>` : ''}` +
      `\u3000日期：<span class="date">${o.at ? escapeHtml(formatChinaDate(o.at)) : ''}</span></div>`,
  );
  return `<div class="opinion">${parts.join('')}</div>`;
}

function opinionsHtml(list: FormOpinion[], empty: string): string {
  if (!list.length)
    return `<div class="opinion empty">${escapeHtml(empty)}</div><div class="sign">签字：\u3000\u3000\u3000\u3000\u3000\u3000\u3000日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日</div>`;
  return list.map(opinionHtml).join('');
}

function overrideHtml(f: Finding): string {
  const o = f.override;
  if (!o) return '';
  const when = Number.isNaN(Date.parse(o.at)) ? o.at : formatChinaDate(new Date(o.at));
  const who = o.role === 'leader' ? '主要领导' : '领导小组办公室';
  return (
    `<div class="override">${who}${escapeHtml(o.displayName)}（${escapeHtml(o.unitName)}）于${escapeHtml(when)}` +
    `决定予以放行，理由：${text(o.reason)}</div>`
  );
}

function findingsHtml(findings: Finding[]): string {
  if (!findings?.length) return '尚未进行自动审查。';
  return (
    '<table class="inner"><tr><th>审查项</th><th>结果</th><th>说明</th></tr>' +
    findings
      .map(
        (f) =>
          `<tr><td>${escapeHtml(label(CHECKS, f.check))}</td><td class="result-${escapeHtml(f.result)}">` +
          `${escapeHtml(label(RESULTS, f.result))}</td><td>${text(f.message)}${overrideHtml(f)}</td></tr>`,
      )
      .join('') +
    '</table>'
  );
}

const STYLE = `
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #000; background: #fff;
  font-family: "SimSun", "宋体", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 12pt; line-height: 1.5; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.15em; margin: 0 0 3mm 0; font-weight: bold; }
.meta { width: 100%; margin-bottom: 2mm; font-size: 10.5pt; }
.meta td { border: none; padding: 0; }
.meta .right { text-align: right; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form > tbody > tr > th, table.form > tbody > tr > td { border: 1px solid #000; padding: 1.8mm 2.2mm; vertical-align: top; word-break: break-all; }
table.form > tbody > tr > th { width: 17%; font-weight: normal; text-align: center; vertical-align: middle; }
table.form tr { break-inside: avoid; page-break-inside: avoid; }
tr.section > th { font-weight: bold; letter-spacing: 0.1em; }
table.inner { width: 100%; border-collapse: collapse; }
table.inner th, table.inner td { border: 1px solid #000; padding: 1mm 1.5mm; font-size: 10.5pt; text-align: left; }
table.inner th { text-align: center; font-weight: normal; }
.result-fail { font-weight: bold; }
.override { margin-top: 1mm; font-size: 10.5pt; }
.opinion { margin-bottom: 2mm; }
.opinion + .opinion { border-top: 1px dashed #000; padding-top: 2mm; }
.opinion .decision { font-weight: bold; }
.opinion .sign, .sign { text-align: right; margin-top: 2mm; font-size: 10.5pt; }
.empty { min-height: 12mm; }
ol.deficiencies { margin: 1mm 0 0 0; padding-left: 6mm; }
.footer { margin-top: 2mm; font-size: 9pt; }
`;

/** The 审批表 as one printable HTML page. */
export function renderApplicationForm(d: ApplicationFormData): string {
  const a = d.application;
  const basis = [a.legalBasisDocument, a.legalBasisArticle].filter(Boolean).join(' ');
  const area =
    a.statutoryArea === 'other'
      ? '其他（不属于法定协助领域，须有法律依据）'
      : (d.statutoryAreaName ?? a.statutoryArea ?? '');
  const target =
    a.targetScope === 'all'
      ? `${d.targetUnitName ?? ''}所辖全部社区`
      : a.targetScope === 'list'
        ? d.targetCommunityNames.join('、')
        : '';
  const funding =
    a.fundingPerCommunityFen === null || a.fundingPerCommunityFen === undefined
      ? ''
      : `每个社区 ${formatYuan(a.fundingPerCommunityFen)}` +
        (d.communityCount
          ? `，${d.communityCount}个社区合计 ${formatYuan(BigInt(a.fundingPerCommunityFen) * BigInt(d.communityCount))}`
          : '');
  const period =
    a.startDate || a.endDate
      ? `${a.startDate ? formatChinaDate(a.startDate) : ''} 至 ${a.endDate ? formatChinaDate(a.endDate) : ''}`
      : '';
  const workload = a.workloadHoursPerMonth === null ? '' : `每个社区每月约 ${a.workloadHoursPerMonth} 小时`;
  // 派单提前期 (issue 14 §2): none named is the default of 3 working days.
  const notice = a.noticeWorkingDays ? `${a.noticeWorkingDays} 个工作日` : '3 个工作日（默认）';
  const attachments = d.attachments.length
    ? d.attachments.map((x, i) => `${i + 1}. ${escapeHtml(x.fileName)}`).join('<br>')
    : '无';
  const members = d.members.length
    ? d.members
        .map(
          (m, i) =>
            `<tr>${i === 0 ? `<th rowspan="${d.members.length}">成员单位<br>会签意见</th>` : ''}` +
            `<td class="member-unit">${escapeHtml(m.unitName)}</td>` +
            `<td colspan="2">${opinionsHtml(m.opinions, '（待会签）')}</td></tr>`,
        )
        .join('')
    : row('成员单位<br>会签意见', '（无成员单位）');

  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>社区工作准入审批表 — ${escapeHtml(a.title ?? '')}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>社区工作准入审批表</h1>
<table class="meta"><tr>
<td>受理机关：${escapeHtml(d.leadingGroupName ?? '')}</td>
<td class="right">准入编号：${escapeHtml(d.admissionNumber ?? '（签批后编号）')}</td>
</tr><tr>
<td>申请单位（盖章）：${escapeHtml(d.applicantUnitName ?? '')}</td>
<td class="right">提交日期：${a.submittedAt ? escapeHtml(formatChinaDate(a.submittedAt)) : '（未提交）'}</td>
</tr></table>
<table class="form"><colgroup><col style="width:17%"><col style="width:33%"><col style="width:17%"><col style="width:33%"></colgroup><tbody>
${[
  pair('事项名称', text(a.title), '事项类型', escapeHtml(label(KINDS, a.kind))),
  pair('申请单位', escapeHtml(d.applicantUnitName ?? ''), '办理状态', escapeHtml(label(STATUSES, a.status))),
  row('事项内容', text(a.content)),
  pair('法律政策依据', escapeHtml(basis) || '无', '法定协助领域', escapeHtml(area)),
  row('实施范围', escapeHtml(target)),
  row('授权内容', text(a.authorizedContent)),
  pair('工作对象', text(a.targetPopulation), '授予权限', text(a.powers)),
  pair('实施期限', escapeHtml(period), '工作频次', text(a.frequency)),
  pair('预计工作量', escapeHtml(workload), '派单提前期', escapeHtml(notice)),
  pair('经费标准', escapeHtml(funding), '经费来源', text(a.fundingSource)),
  row('部门提供的支持', text(a.supportOffered) || '无'),
  a.reportFields?.length ? row('需社区填报的字段', escapeHtml(a.reportFields.join('、'))) : '',
  d.regularizesItemNumber ? row('转正的应急事项', escapeHtml(d.regularizesItemNumber)) : '',
  pair('联系人', escapeHtml(a.contactName ?? ''), '联系电话', escapeHtml(a.contactPhone ?? '')),
  pair('填表人', escapeHtml(d.createdByName ?? ''), '附件', attachments),
  row('自动审查结果', findingsHtml(a.findings)),
  row('部门意见', opinionsHtml(d.department, '（待部门负责人审核）')),
  row('领导小组<br>办公室意见', opinionsHtml(d.office, '（待领导小组办公室审查）')),
  members,
  row('主要领导签批', opinionsHtml(d.leader, '（待主要领导签批）')),
  a.decisionReason && REASONED.includes(a.status)
    ? row('退回、不予准入或终止理由', text(a.decisionReason))
    : '',
  a.status === 'withdrawn' && a.withdrawalReason ? row('撤回原因', text(a.withdrawalReason)) : '',
]
  .filter(Boolean)
  .join('\n')}
</tbody></table>
<div class="footer">申请编号：${escapeHtml(a.id)}\u3000打印日期：${escapeHtml(formatChinaDate(d.printedAt))}</div>
</body>
</html>
`;
}
