import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import { WorkflowRegistry } from '../src/workflow/workflow.registry.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import {
  COMMITTEE_OF,
  contestRefusal,
  disputeCaseOf,
  refusePiece,
  sendUncovered,
} from './helpers/dispatch.js';

/**
 * Review 2026-12-02: a withdrawal ending several disputes commits one step per case. When a later case is
 * suspended by the office between two of those steps, the client is told 409 while the earlier piece is already
 * withdrawn; the same request, retried once the office resumes the case, must finish the withdrawal.
 */
describe('review: a withdrawal ending several disputes, retried after a part of it failed', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const [C1, C2] = ['339901001001', '339901001002'];

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Work sent to C1 and C2, refused by both committees, both refusals contested: the dispatch and both cases. */
  async function twoContested(title: string): Promise<{ dispatchId: string; cases: string[] }> {
    const { dispatchId, pieceIn } = await sendUncovered(t, title, [unit[C1], unit[C2]]);
    const cases: string[] = [];
    for (const code of [C1, C2]) {
      expect((await refusePiece(t, COMMITTEE_OF[code], pieceIn(unit[code]))).status).toBe(200);
      const c = await contestRefusal(t, dispatchId, unit[code]);
      expect(c.status).toBe(200);
      cases.push(disputeCaseOf(c, unit[code]));
    }
    return { dispatchId, cases };
  }
  const office = async (instanceId: string, op: 'suspend' | 'resume') =>
    (
      await t
        .http()
        .post(`/workflow-instances/${instanceId}/${op}`)
        .set(await auth('office'))
        .send({ comment: '核实情况' })
    ).status;
  const withdraw = async (dispatchId: string, body: Record<string, unknown>) =>
    t
      .http()
      .post(`/dispatches/${dispatchId}/withdraw`)
      .set(await auth('dept-staff'))
      .send(body);

  it.each([
    ['named communities', true],
    ['the whole dispatch', false],
  ])(
    'given %s withdrawn and the office suspending the other case right after the first case ended, when the withdrawal is retried once the case is resumed, then it finishes: both pieces withdrawn, both cases terminated',
    async (_, named) => {
      const { dispatchId, cases } = await twoContested(named ? '撤回重试（点名社区）' : '撤回重试（整单）');
      const body = named ? { communityIds: [unit[C1], unit[C2]], note: '改由街道统一安排' } : {};
      const runtime = t.app.get(WorkflowRuntime);
      const step = runtime.step.bind(runtime);
      let suspended: string | null = null;
      runtime.step = (async (...args: Parameters<typeof step>) => {
        const r = await step(...args);
        if (!suspended && cases.includes(args[0])) {
          // The other case: the one the withdrawal ends next.
          const next = cases.find((c) => c !== args[0])!;
          suspended = next;
          if ((await office(next, 'suspend')) !== 200)
            throw new Error('the office could not suspend the case');
        }
        return r;
      }) as typeof runtime.step;
      let first;
      try {
        first = await withdraw(dispatchId, body);
      } finally {
        runtime.step = step;
      }
      expect(suspended).not.toBeNull();
      expect([first.status, first.body.error?.code]).toEqual([409, 'DISPATCH_DISPUTE_SUSPENDED']);
      expect(await office(suspended!, 'resume')).toBe(200);
      const again = await withdraw(dispatchId, body);
      expect([again.status, again.body.error?.code]).toEqual([200, undefined]);
      expect(again.body.counts).toMatchObject({ total: 2, withdrawn: 2 });
      for (const id of cases) expect(await instanceStatus(t, id)).toBe('terminated');
    },
  );

  it.each([
    ['the first case', 0],
    ['the last case', 1],
  ])(
    'given %s of the withdrawal moved on by someone else while its step ran (the street referred it, its time ran out), when the department withdraws the dispatch, then the step runs again on the fresh case and the withdrawal finishes (it answered 409 CONCURRENT_UPDATE with part of it saved)',
    async (_, moved) => {
      const { dispatchId, cases } = await twoContested(`撤回时争议有进展${moved}`);
      const runtime = t.app.get(WorkflowRuntime);
      const step = runtime.step.bind(runtime);
      let bumped = false;
      runtime.step = (async (...args: Parameters<typeof step>) => {
        const [instanceId, actor, op, opts] = args;
        return step(
          instanceId,
          actor,
          async (ctx) => {
            // Another process advanced this case after the step read it: its row's version moved on.
            if (!bumped && instanceId === cases[moved]) {
              bumped = true;
              await t.dataSource.query('UPDATE workflow_instance SET version = version + 1 WHERE id = $1', [
                instanceId,
              ]);
            }
            return op(ctx);
          },
          opts,
        );
      }) as typeof runtime.step;
      let res;
      try {
        res = await withdraw(dispatchId, {});
      } finally {
        runtime.step = step;
      }
      expect(bumped).toBe(true);
      expect([res.status, res.body.error?.code]).toEqual([200, undefined]);
      expect(res.body.counts).toMatchObject({ total: 2, withdrawn: 2 });
      for (const id of cases) expect(await instanceStatus(t, id)).toBe('terminated');
    },
  );

  it('given the street office’s ruling (uphold) still being recorded (its service step failed: an incident), when the department withdraws the dispatch, then the case ends without that ruling: the piece withdrawn with no dispute, the step dropped and its incident closed', async () => {
    const { dispatchId, cases } = await twoContested('撤回时裁定尚未记录');
    const registry = t.app.get(WorkflowRegistry);
    const service = registry.service.bind(registry);
    registry.service = (topic: string) =>
      topic === 'disputeUphold'
        ? async () => {
            throw new Error('the ruling could not be recorded');
          }
        : service(topic);
    try {
      expect((await act(t, 'street', cases[0], 'streetMediate', { decision: 'uphold' })).status).toBe(200);
    } finally {
      registry.service = service;
    }
    const incidents = async () =>
      (
        await t.dataSource.query(
          `SELECT element_id FROM workflow_incident WHERE instance_id = $1 AND resolved_at IS NULL`,
          [cases[0]],
        )
      ).map((r: { element_id: string }) => r.element_id);
    expect(await incidents()).toEqual(['uphold']);
    const res = await withdraw(dispatchId, {});
    expect(res.status).toBe(200);
    const piece = res.body.deliveries.find((x: { communityId: string }) => x.communityId === unit[C1]);
    expect(piece).toMatchObject({ state: 'withdrawn', disputeState: null, disputeRuledBy: null });
    expect(await instanceStatus(t, cases[0])).toBe('terminated');
    expect(await incidents()).toEqual([]);
    const upheld = await t.dataSource.query(
      `SELECT 1 FROM audit_record WHERE action = 'dispatch.dispute-upheld' AND entity_id = $1`,
      [piece.id],
    );
    expect(upheld).toHaveLength(0);
  });
});
