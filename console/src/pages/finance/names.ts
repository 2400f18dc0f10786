/** Chinese names of the funding codes (费随事转) the finance pages show. */

/** A registered transfer's state (`FundingTransferRowDto.state`). */
export const TRANSFER_STATE_NAMES: Record<string, string> = {
  awaiting: '待确认到账',
  confirmed: '已确认到账',
  lapsed: '社区经费已逾期失效',
  superseded: '已由另一笔拨付确认',
};

/** A community's funding as people speak of it (`fundingState`). */
export const FUNDING_STATE_NAMES: Record<string, string> = {
  not_required: '无需经费',
  none: '待部门登记拨付',
  registered: '已登记，待财政确认',
  confirmed: '经费已到账',
  lapsed: '逾期未到账，事项在该社区未生效',
  overdue: '逾期未到账（应急事项仍有效，经费仍须拨付）',
};
