/** 转办, 委托 or 加签: the API's names of the three hand-overs (GET /tasks/:id/hand-over-candidates `for`). */
export type HandOver = 'reassign' | 'delegate' | 'signers';
