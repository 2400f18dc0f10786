import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask, startReviewCase } from './helpers/cases.js';

/**
 * Review of the countersign iterations read with the task (the completion written with the step's state): the
 * tally stays right when the members sign at once, in one process or in two.
 */
async function sign(app: TestApp, username: string, taskId: string) {
  return app
    .http()
    .post(`/tasks/${taskId}/complete`)
    .set('Authorization', `Bearer ${await app.token(username)}`)
    .send({ decision: 'approve' });
}

// Apps of one test process stop in the reverse order of their start.
describe('countersign signed at once (会签并发)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({}, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b.stop();
    await a.close();
  });

  it.each([
    ['one process', 'aaa'],
    ['two processes', 'aba'],
  ])(
    'given all three members signing at once in %s, then every signature counts once and the case goes on to the leader',
    async (_, where) => {
      const apps = [...where].map((x) => (x === 'a' ? a : b));
      const id = await startReviewCase(a);
      expect((await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' })).status).toBe(200);
      expect((await act(a, 'office', id, 'officeReview', { decision: 'approve' })).status).toBe(200);
      const members = ['member-1', 'member-2', 'member-3'];
      const tasks = await Promise.all(members.map((m) => openTask(a, m, id, 'countersign')));
      const results = await Promise.all(members.map((m, i) => sign(apps[i], m, tasks[i])));
      // A signature that lost a race to the case's row may be refused (409); signed again, it goes through.
      for (const [i, r] of results.entries()) {
        if (r.status === 409) {
          expect(r.body.error.code).toBe('CONCURRENT_UPDATE');
          expect((await sign(a, members[i], tasks[i])).status).toBe(200);
        } else expect(r.status).toBe(200);
      }
      const rows: { status: string; n: number }[] = await a.dataSource.query(
        `SELECT status, count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND element_id = 'countersign' GROUP BY status`,
        [id],
      );
      expect(rows).toEqual([{ status: 'completed', n: 3 }]);
      const [vars] = await a.dataSource.query(
        `SELECT variables -> 'countersign' -> 'countersign' AS tally FROM workflow_instance WHERE id = $1`,
        [id],
      );
      expect(vars.tally).toMatchObject({ total: 3, approve: 3, reject: 0, decided: true, approved: true });
      const leader = await a.dataSource.query(
        `SELECT count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND element_id = 'leaderSign' AND status = 'open'`,
        [id],
      );
      expect(leader[0].n).toBe(1);
    },
  );
});
