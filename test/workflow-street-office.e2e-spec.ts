import type { Actor } from '../src/common/actor.js';
import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

/** The street-level candidate group `street-office` (test/fixtures/street-workflow/street-probe.bpmn). */
describe('the street office of the case’s community (candidate group street-office)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const C1 = '339901001001'; // 杏花社区, 东华街道 (339901001)
  const C4 = '339901002001'; // 朝晖社区, 朝阳街道 (339901002)
  const C7 = '339902001001'; // 湖滨社区, 南湖街道 (339902001)

  beforeAll(async () => {
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${FIXTURE_WORKFLOWS},test/fixtures/street-workflow` });
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  async function start(ownerCode: string, variables: Record<string, unknown>): Promise<string> {
    const staff = (
      await t.dataSource.query(`SELECT id, username FROM app_user WHERE username = 'dept-staff'`)
    )[0];
    const actor = { principal: { userId: staff.id, username: staff.username } } as Actor;
    const started = await t.app.get(WorkflowRuntime).start(actor, {
      processId: 'streetProbe',
      businessKey: `street-${Math.random()}`,
      ownerUnitId: unit[ownerCode],
      variables: { communities: [], ...variables },
    });
    return started.id;
  }
  const candidates = async (instanceId: string, elementId: string) =>
    (
      await t.dataSource.query(
        `SELECT loop_item AS "loopItem", candidate_unit_ids AS "unitIds", candidate_roles AS "roles"
           FROM workflow_task WHERE instance_id = $1 AND element_id = $2 AND status = 'open' ORDER BY loop_item`,
        [instanceId, elementId],
      )
    ).map((r: { loopItem: unknown; unitIds: string[]; roles: string[] }) => ({
      loopItem: r.loopItem,
      unitIds: r.unitIds,
      roles: r.roles,
    }));

  it('given a case about one community (its variable communityId), then the street office of that community holds the step, not the community nor another street; a step per community goes to each one’s street office', async () => {
    const id = await start('339901-WJ', { communityId: unit[C1], communities: [unit[C1], unit[C7]] });
    expect(await candidates(id, 'streetReview')).toEqual([
      { loopItem: null, unitIds: [unit['339901001']], roles: ['STREET'] },
    ]);
    await expect(openTask(t, 'street', id, 'streetReview')).resolves.toEqual(expect.any(String));
    await expect(openTask(t, 'committee', id, 'streetReview')).rejects.toThrow(/has no streetReview task/);
    expect((await act(t, 'street', id, 'streetReview', { decision: 'approve' })).status).toBe(200);

    const each = await candidates(id, 'streetEach');
    expect(each).toHaveLength(2);
    expect(each).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitIds: [unit['339901001']] }),
        expect.objectContaining({ unitIds: [unit['339902001']] }),
      ]),
    );
  });

  it('given a committee’s own case (owned by its community, no communityId), then the street office of that community', async () => {
    const id = await start(C4, {});
    expect(await candidates(id, 'streetReview')).toEqual([
      { loopItem: null, unitIds: [unit['339901002']], roles: ['STREET'] },
    ]);
    await expect(openTask(t, 'street', id, 'streetReview')).rejects.toThrow(/has no streetReview task/);
  });

  it('given a case about no community (a department’s, no communityId, or not a community), then no street office', async () => {
    for (const variables of [{}, { communityId: unit['339901001'] }, { communityId: 'not-a-uuid' }]) {
      const id = await start('339901-WJ', variables);
      expect(await candidates(id, 'streetReview')).toEqual([
        { loopItem: null, unitIds: [], roles: ['STREET'] },
      ]);
    }
  });
});
