/** An activity's state in a case, as GET /workflow-instances/:id/diagram answers it. */
export type ActivityState = 'completed' | 'active' | 'overdue';

/** What the legend and the badges say for each state. */
export const ACTIVITY_STATE_NAMES: Record<ActivityState, string> = {
  completed: '已完成',
  active: '办理中',
  overdue: '超期',
};
