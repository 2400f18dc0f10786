/** Chinese names of the administrators' codes (roles, unit kinds, audit actions), and the API's field problems. */
import { ApiError, errorText } from '../../api';

export const ROLE_NAMES: Record<string, string> = {
  SYSTEM_ADMIN: '系统管理员',
  SECURITY_ADMIN: '安全管理员',
  AUDITOR: '审计管理员',
  DEPT_STAFF: '部门经办人',
  DEPT_HEAD: '部门负责人',
  OFFICE: '领导小组办公室',
  MEMBER: '成员单位代表',
  LEADER: '主要领导',
  FINANCE: '财务专账',
  STREET: '街道办事处',
  COMMITTEE: '社区居委会',
};

/** 三员分立: no account holds two of these. */
export const SEPARATED_ROLES = ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDITOR'];

export const UNIT_KIND_NAMES: Record<string, string> = {
  CITY: '市',
  DISTRICT: '区（县）',
  STREET: '街道',
  COMMUNITY: '社区',
  DEPARTMENT: '职能部门',
  LEADING_GROUP: '领导小组',
  LEADING_GROUP_OFFICE: '领导小组办公室',
  FINANCE: '财务单位',
};

/** Which kinds of unit may be added under a unit of each kind (the API's own rule, UNIT_PARENT_INVALID). */
export const CHILD_KINDS: Record<string, string[]> = {
  CITY: ['DISTRICT', 'DEPARTMENT', 'LEADING_GROUP', 'FINANCE'],
  DISTRICT: ['STREET', 'DEPARTMENT', 'LEADING_GROUP', 'FINANCE'],
  STREET: ['COMMUNITY', 'FINANCE'],
  COMMUNITY: [],
  DEPARTMENT: [],
  LEADING_GROUP: ['LEADING_GROUP_OFFICE'],
  LEADING_GROUP_OFFICE: [],
  FINANCE: [],
};

/** Kinds of unit a leading group may have as member units (成员单位). */
export const MEMBER_KINDS = ['DEPARTMENT', 'STREET', 'FINANCE', 'LEADING_GROUP_OFFICE'];

export const ENTITY_TYPE_NAMES: Record<string, string> = {
  user: '用户账号',
  org_unit: '组织单位',
  admission_application: '准入申请',
  admitted_item: '准入事项',
  exit_proposal: '退出建议',
  funding_transfer: '经费划转',
  negative_list_item: '负面清单事项',
  negative_list_change: '负面清单变更',
  work_calendar_day: '工作日历',
  workflow_instance: '流程实例',
  workflow_task: '流程任务',
  system: '系统',
};

export const ACTION_NAMES: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.login-failed': '登录失败（密码错误）',
  'auth.locked': '连续输错密码，账号锁定',
  'user.created': '新建账号',
  'user.updated': '修改账号',
  'user.roles-set': '设置角色',
  'user.unlocked': '解锁账号',
  'user.password-reset': '重置密码',
  'user.password-changed': '本人修改密码',
  'unit.created': '新增单位',
  'unit.updated': '修改单位',
  'leading-group.updated': '调整领导小组',
  'application.drafted': '起草申请',
  'application.edited': '修改申请',
  'application.attached': '上传附件',
  'application.submitted': '提交申请',
  'application.finding-overridden': '审查意见放行',
  'application.terminated': '终止申请',
  'application.withdrawn': '撤回申请',
  'application.attachment-removed': '删除附件',
  'funding.registered': '登记经费划转',
  'funding.confirmed': '确认经费到账',
  'funding.overdue': '经费逾期未到账',
  'item.admitted': '事项准入',
  'item.emergency-admitted': '突发事件准入',
  'item.entered-community': '事项进入社区',
  'item.exited-community': '事项退出社区',
  'item.evaluated': '居民评议',
  'item.exited': '事项退出',
  'item.expired': '事项到期',
  'item.lapsed': '事项失效',
  'item.regularizing': '转为常规准入',
  'exit.proposed': '提出退出建议',
  'exit.kept': '保留事项',
  'exit.terminated': '终止事项',
  'instance.started': '流程启动',
  'instance.completed': '流程完成',
  'instance.suspended': '流程挂起',
  'instance.resumed': '流程恢复',
  'instance.terminated': '流程终止',
  'incident.opened': '流程异常',
  'incident.retried': '异常重试',
  'task.created': '生成任务',
  'task.cancelled': '取消任务',
  'task.overdue': '任务超期',
  'task.reopened': '任务重开',
  'task.withdrawn': '撤回任务',
  'timer.scheduled': '设置定时',
  'timer.fired': '定时触发',
  'negative-list.proposed': '提出负面清单变更',
  'negative-list.applied': '负面清单变更生效',
  'negative-list.declined': '负面清单变更未通过',
  'work-calendar.day-set': '设置工作日',
  'work-calendar.imported': '导入工作日历',
  'demo.seeded': '写入演示数据',
  'deployment.bootstrapped': '初始化部署',
};

/** An audit action in Chinese (workflow steps as 流程办理), the code itself when unknown. */
export function actionName(action: string): string {
  if (ACTION_NAMES[action]) return ACTION_NAMES[action];
  if (action.startsWith('workflow.')) return `流程办理（${action.slice('workflow.'.length)}）`;
  return action;
}

/** One problem of a 400 answer's `details`: `{ field, problems }`. */
export interface FieldProblem {
  field?: string;
  problems?: string[];
  message?: string;
}

/** The field problems of an API error (empty when it has none). */
export function fieldProblems(e: unknown): FieldProblem[] {
  return e instanceof ApiError && Array.isArray(e.details)
    ? (e.details as FieldProblem[]).filter((p) => p && typeof p === 'object')
    : [];
}

/** What the API said about one field (and the fields under it), joined; '' when nothing. */
export function problemAt(problems: FieldProblem[], field: string): string {
  return problems
    .filter((p) => p.field === field || p.field?.startsWith(`${field}.`))
    .flatMap((p) => p.problems ?? (p.message ? [p.message] : []))
    .join('；');
}

/** An error's message for the page; '' for a 401 (the console goes back to login by itself). */
export const messageOf = errorText;
