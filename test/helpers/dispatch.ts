import type { TestApp } from './app.js';

/** The committee account of each demo community that has one. */
export const COMMITTEE_OF: Record<string, string> = {
  '339901001001': 'committee',
  '339901001002': 'committee-2',
};

const auth = async (t: TestApp, user: string) => ({ Authorization: `Bearer ${await t.token(user)}` });

/**
 * The department sends uncovered work (no admitted item) titled `title` to these communities (by id); answers
 * the dispatch's id and each community's piece.
 */
export async function sendUncovered(
  t: TestApp,
  title: string,
  communityIds: string[],
): Promise<{ dispatchId: string; pieceIn: (communityId: string) => string }> {
  const d = await t
    .http()
    .post('/dispatches')
    .set(await auth(t, 'dept-staff'))
    .send({
      kind: 'task',
      title,
      content: '请在社区公告栏张贴。',
      dueDate: '2027-03-31',
      expectedHours: 2,
      targets: communityIds,
    });
  if (d.status !== 201) throw new Error(`dispatch refused: ${d.status} ${JSON.stringify(d.body)}`);
  const deliveries = d.body.deliveries as { id: string; communityId: string }[];
  return {
    dispatchId: d.body.id as string,
    pieceIn: (communityId) => deliveries.find((x) => x.communityId === communityId)!.id,
  };
}

/** The committee refuses the piece with one action (with a note, or with none). */
export async function refusePiece(t: TestApp, committee: string, pieceId: string, note?: string) {
  return t
    .http()
    .post(`/my-community/received-work/${pieceId}/refuse`)
    .set(await auth(t, committee))
    .send(note === undefined ? {} : { note });
}

/** `user` (the department's staff by default) contests the refusal of the work in this community. */
export async function contestRefusal(
  t: TestApp,
  dispatchId: string,
  communityId: string,
  user = 'dept-staff',
) {
  return t
    .http()
    .post(`/dispatches/${dispatchId}/contest`)
    .set(await auth(t, user))
    .send({
      communityId,
      argument: '属于公共卫生协助事项',
      basis: '《基本公共卫生服务规范》第三条',
    });
}

/** The case of the contested refusal in this community, from a contest's answer. */
export function disputeCaseOf(contested: { body: unknown }, communityId: string): string {
  const deliveries = (contested.body as { deliveries: { communityId: string; disputeInstanceId: string }[] })
    .deliveries;
  return deliveries.find((x) => x.communityId === communityId)!.disputeInstanceId;
}
