import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';

/**
 * GET /applications answers what the office's review queue shows of each row — the applicant department's
 * name, and where its case is now (its open steps and who holds them) — so that the queue makes one request per
 * page. The steps follow the case's own visibility rule (GET /workflow-instances/:id).
 */
describe('the application list with each row’s unit name and current steps (审查队列)', () => {
  let t: TestApp;
  const user: Record<string, string> = {};
  let xinghua: string;
  const HEALTH = '东湖区卫生健康委员会';

  const list = async (username: string) => {
    const res = await t
      .http()
      .get('/applications')
      .query({ pageSize: 200 })
      .set('Authorization', `Bearer ${await t.token(username)}`);
    expect(res.status).toBe(200);
    return res.body as {
      total: number;
      items: {
        id: string;
        status: string;
        applicantUnitName: string;
        currentSteps: {
          taskId: string;
          elementId: string;
          name: string | null;
          assigneeId: string | null;
          assigneeName: string | null;
        }[];
      }[];
    };
  };
  const rowOf = async (username: string, id: string) => (await list(username)).items.find((x) => x.id === id);
  const caseStatus = async (username: string, instanceId: string) =>
    (
      await t
        .http()
        .get(`/workflow-instances/${instanceId}`)
        .set('Authorization', `Bearer ${await t.token(username)}`)
    ).status;

  beforeAll(async () => {
    t = await startTestApp();
    xinghua = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001001'`))[0].id;
    // A colleague of dept-staff: same department, neither started nor works the cases below.
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'dept-staff-2', '钱同事', password_hash, unit_id, roles FROM app_user WHERE username = 'dept-staff'`,
    );
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('given one application at the office’s review claimed by office and one at the department head’s step, when office lists, then each row names its department and its open step with its holder (nobody: claimable)', async () => {
    const atOffice = await submitApplication(t, makeApplication([xinghua], { title: '队列：办公室审查中' }));
    expect(
      (await act(t, 'dept-head', atOffice.instanceId, 'deptApprove', { decision: 'approve' })).status,
    ).toBe(200);
    const officeTask = await openTask(t, 'office', atOffice.instanceId, 'completeness');
    const claimed = await t
      .http()
      .post(`/tasks/${officeTask}/claim`)
      .set('Authorization', `Bearer ${await t.token('office')}`)
      .send({});
    expect(claimed.status).toBe(200);
    const atHead = await submitApplication(
      t,
      makeApplication([xinghua], { title: '队列：部门负责人审核中' }),
    );
    const headTask = await openTask(t, 'dept-head', atHead.instanceId, 'deptApprove');

    const office = await list('office');
    const one = office.items.find((x) => x.id === atOffice.applicationId);
    expect(one).toMatchObject({ status: 'in_review', applicantUnitName: HEALTH });
    expect(one?.currentSteps).toEqual([
      {
        taskId: officeTask,
        elementId: 'completeness',
        name: expect.any(String),
        assigneeId: user.office,
        assigneeName: '王民（区领导小组办公室）',
      },
    ]);
    expect(office.items.find((x) => x.id === atHead.applicationId)?.currentSteps).toEqual([
      {
        taskId: headTask,
        elementId: 'deptApprove',
        name: expect.any(String),
        assigneeId: null,
        assigneeName: null,
      },
    ]);
    // A draft has no case: its department still sees its name, and no step.
    const draft = await t
      .http()
      .post('/applications')
      .set('Authorization', `Bearer ${await t.token('dept-staff')}`)
      .send(makeApplication([xinghua], { title: '队列：草稿' }));
    expect(draft.status).toBe(201);
    expect(await rowOf('dept-staff', draft.body.id)).toMatchObject({
      status: 'draft',
      applicantUnitName: HEALTH,
      currentSteps: [],
    });
    // The starter follows both cases; the department head works the second one.
    expect((await rowOf('dept-staff', atOffice.applicationId))?.currentSteps.map((s) => s.taskId)).toEqual([
      officeTask,
    ]);
    expect((await rowOf('dept-head', atHead.applicationId))?.currentSteps.map((s) => s.taskId)).toEqual([
      headTask,
    ]);
  });

  it('given applications a reader may list but whose cases they may not see, when they list, then the rows come without their steps — as GET /workflow-instances/:id answers them 404', async () => {
    const { applicationId, instanceId } = await submitApplication(
      t,
      makeApplication([xinghua], { title: '队列：他人案件' }),
    );
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    // dept-staff-2: the same department (lists it), neither starter nor of any of its steps.
    // member-1: a reviewer of the area (lists it), not yet of any of its steps (the countersign comes later).
    for (const who of ['dept-staff-2', 'member-1']) {
      const row = await rowOf(who, applicationId);
      expect([who, row?.applicantUnitName, row?.currentSteps]).toEqual([who, HEALTH, []]);
      expect([who, await caseStatus(who, instanceId)]).toEqual([who, 404]);
    }
    // Whoever may see the case sees its step: the office of the area, the starter.
    for (const who of ['office', 'dept-staff']) {
      const row = await rowOf(who, applicationId);
      expect([who, row?.currentSteps.map((s) => s.elementId)]).toEqual([who, ['completeness']]);
      expect([who, await caseStatus(who, instanceId)]).toEqual([who, 200]);
    }
    // Another department does not list it at all.
    expect(await rowOf('dept2-staff', applicationId)).toBeUndefined();
  });

  it('given the OpenAPI document, then the list route’s rows are ApplicationListItemDto, with the unit name and the steps documented', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const schemas = doc.components.schemas;
    expect(schemas.ApplicationListItemDto.required).toEqual(
      expect.arrayContaining(['applicantUnitName', 'currentSteps', 'id', 'status']),
    );
    expect(schemas.ApplicationStepDto.required).toEqual(
      expect.arrayContaining(['taskId', 'elementId', 'name', 'assigneeId', 'assigneeName']),
    );
    expect(JSON.stringify(doc.paths['/applications'].get.responses['200'])).toContain(
      'ApplicationListItemDto',
    );
    // The single application's answer stays ApplicationDto.
    expect(JSON.stringify(doc.paths['/applications/{id}'].get.responses['200'])).toContain(
      '"#/components/schemas/ApplicationDto"',
    );
  });
});
