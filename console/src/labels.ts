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
