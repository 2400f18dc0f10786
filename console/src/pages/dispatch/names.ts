/** What the dispatch pages show a clerk for the API's codes (issue 14). */

export const DISPATCH_KIND_NAMES: Record<string, string> = {
  task: '工作任务',
  meeting: '会议',
  report: '报表台账',
  survey: '调查统计',
  inspection: '考评检查',
  stamp: '盖章证明',
  'app-registration': '政务应用/账号（App、工作群）',
  plaque: '组织机构挂牌',
};

export const REASON_NAMES: Record<string, string> = {
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

export const DELIVERY_STATE_NAMES: Record<string, string> = {
  received: '待处理',
  accepted: '已接收',
  done: '已办结',
  refused: '已拒绝',
  withdrawn: '部门已撤回',
};

export interface CoverageReason {
  code: string;
  detail?: string;
  rule: string;
  message: string;
}

export interface ReceivedWork extends Dispute {
  id: string;
  dispatchId: string;
  kind: string;
  title: string;
  content: string;
  details: { meetingTime?: string; meetingPlace?: string; reportFields?: string[]; certificateName?: string };
  dueDate: string;
  expectedHours: number;
  departmentName: string;
  admissionNumber: string | null;
  sentAt: string;
  /** Working days left through the due date (today counted when todayCounted); null once closed. */
  workingDaysLeft: number | null;
  todayCounted: boolean | null;
  dueState: 'onTime' | 'dueSoon' | 'overdue' | null;
  covered: boolean;
  reasonCode: string;
  rule: string;
  reasons: CoverageReason[];
  state: string;
  hoursSpent: number | null;
  refusalReasonCode: string | null;
  refusalRule: string | null;
  refusalNote: string | null;
  withdrawNote: string | null;
}

export interface CommunityCoverage {
  communityId: string;
  communityName: string;
  covered: boolean;
  reasonCode: string;
  rule: string;
  reasons: CoverageReason[];
}

export interface Delivery extends CommunityCoverage, Dispute {
  id: string;
  state: string;
  hoursSpent: number | null;
  refusedAt: string | null;
  refusalReasonCode: string | null;
  refusalRule: string | null;
  refusalNote: string | null;
}

export interface DispatchRow {
  id: string;
  kind: string;
  title: string;
  dueDate: string;
  admissionNumber: string | null;
  sentAt: string;
  counts: Record<
    'total' | 'covered' | 'uncovered' | 'received' | 'accepted' | 'done' | 'refused' | 'withdrawn',
    number
  >;
  deliveries: Delivery[];
}

export const DISPUTE_STATE_NAMES: Record<string, string> = {
  street: '异议：街道办事处协调中',
  office: '异议：区领导小组办公室裁定中',
  upheld: '异议结论：拒绝成立，工作关闭',
  overturned: '异议结论：拒绝不成立，工作继续',
};

export interface Dispute {
  disputeState: string | null;
  /** Who ruled a dispute that ended: the street office's mediation, or the district office. */
  disputeRuledBy?: 'street' | 'office' | null;
  disputeArgument: string | null;
  disputeBasis: string | null;
  disputeRuling: string | null;
}
