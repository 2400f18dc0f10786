/** Chinese names of the API's codes the console shows. */

export const KIND_NAMES: Record<string, string> = {
  task: '工作任务',
  meeting: '会议',
  report: '报表台账',
  organization: '组织机构挂牌',
  assessment: '考评检查',
  stamp: '盖章证明',
  app: '政务应用/账号',
};

export const FUNDING_STATUS_NAMES: Record<string, string> = {
  not_required: '无需经费',
  awaiting: '待拨付确认',
  confirmed: '经费已到账',
  lapsed: '经费逾期未到，已失效',
  overdue: '经费逾期未到',
};

export function nameOf(names: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '—';
  return names[code] ?? code;
}

/** The application form's fields (准入审批表), as the API names them, in Chinese: the same words as the form the department fills. */
export const FIELD_NAMES: Record<string, string> = {
  kind: '事项类型',
  title: '事项名称',
  content: '事项内容',
  legalBasisDocument: '法律依据文件',
  legalBasisArticle: '法律依据条款',
  statutoryArea: '法定协助领域',
  targetScope: '实施范围',
  targetUnitId: '所辖单位',
  targetCommunityIds: '涉及社区',
  authorizedContent: '授权内容',
  targetPopulation: '工作对象',
  powers: '授予的权限',
  startDate: '开始日期',
  endDate: '结束日期',
  workloadHoursPerMonth: '每月工作量（小时）',
  frequency: '工作频次',
  noticeWorkingDays: '派单提前期（工作日）',
  fundingPerCommunityFen: '每个社区经费',
  fundingSource: '经费来源',
  supportOffered: '配套支持',
  contactName: '联系人',
  contactPhone: '联系电话',
  regularizesItemId: '转正的应急事项',
  reportFields: '报表字段',
  certificateName: '要求出具的证明',
  attachments: '附件',
};

/** An item's notice period (派单提前期) in words: none set is the default of 3 working days. */
export function noticePeriodText(days: number | null | undefined): string {
  return days ? `${days} 个工作日` : '3 个工作日（默认）';
}

export const APPLICATION_STATUS_NAMES: Record<string, string> = {
  draft: '草稿',
  in_review: '审核中',
  returned: '退回补正',
  rejected: '不予准入',
  awaiting_funding: '已签批，待经费到位',
  admitted: '已准入',
  withdrawn: '已撤回',
  terminated: '已终止',
};

/** A case's status (InstanceDto.status). */
export const CASE_STATUS_NAMES: Record<string, string> = {
  active: '办理中',
  suspended: '已挂起',
  completed: '已办结',
  terminated: '已终止',
};

/**
 * Decisions recorded in a case's history, in Chinese. The decisions a task offers (its buttons) come from the API
 * (`GET /tasks/:id` `decisions`), never from here.
 */
export const DECISION_NAMES: Record<string, string> = {
  approve: '同意',
  return: '退回补正',
  reject: '不同意',
  record: '备案',
  resubmit: '重新提交',
  withdraw: '撤回申请',
  uphold: '拒绝成立',
  overturn: '拒绝不成立',
  refer: '提交区领导小组办公室',
};

/**
 * What a history entry says happened, with what was decided: 办理完成：同意 (the API records the decision's own
 * words since December 2026; before, its code, named here).
 */
export function historyText(h: { action: string; data?: Record<string, unknown> | null }): string {
  const action = nameOf(HISTORY_ACTION_NAMES, h.action);
  const code = typeof h.data?.decision === 'string' ? h.data.decision : null;
  if (!code || (h.action !== 'task.completed' && h.action !== 'task.returned')) return action;
  const label =
    typeof h.data?.decisionLabel === 'string' ? h.data.decisionLabel : nameOf(DECISION_NAMES, code);
  return label === action ? action : `${action}：${label}`;
}

export const FINDING_RESULT_NAMES: Record<string, string> = { pass: '通过', warn: '提示', fail: '不通过' };

/** What happened in a case's timeline (history actions), in Chinese; an unknown action shows as its code. */
export const HISTORY_ACTION_NAMES: Record<string, string> = {
  'instance.started': '案件启动',
  'instance.completed': '案件办结',
  'instance.terminated': '案件终止',
  'instance.suspended': '案件挂起',
  'instance.resumed': '案件恢复',
  'element.completed': '环节完成',
  'task.created': '任务生成',
  'task.claimed': '认领',
  'task.unclaimed': '取消认领',
  'task.completed': '办理完成',
  'task.returned': '退回',
  'task.released': '退回待认领',
  'task.reassigned': '转办',
  'task.delegated': '委托',
  'task.signed': '加签签署',
  'task.signers-added': '加签',
  'task.signer-removed': '取消加签',
  'task.returned-to-group': '退回待认领（人员变动）',
  'task.delegation-ended': '委托结束',
  'task.urged': '催办',
  'task.overdue': '超期',
  'task.withdrawn': '撤回',
  'task.reopened': '重新打开',
  'task.cancelled': '任务取消',
  'timer.scheduled': '计时开始',
  'timer.fired': '时限到期',
  'service.completed': '系统处理完成',
  'application.submitted': '申请提交',
  'application.edited': '申请修改',
  'application.terminated': '申请终止',
  'application.withdrawn': '申请撤回',
  'item.admitted': '准入',
};
