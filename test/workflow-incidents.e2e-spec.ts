import { startTestApp, type TestApp } from './helpers/app.js';
import { startReviewCase } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';

/** The list of open incidents (流程异常): the overseer's cases only, paged by the database, counted right. */
describe('workflow incidents list', () => {
  let t: TestApp;
  const mine: string[] = [];
  let foreign: string;

  async function addIncident(instanceId: string, minute: number): Promise<string> {
    const rows: { id: string }[] = await t.dataSource.query(
      `INSERT INTO workflow_incident (instance_id, element_id, topic, message, created_at)
       VALUES ($1, 'publish', 'testPublish', 'the register is not reachable', $2::timestamptz) RETURNING id`,
      [instanceId, `2027-06-01T08:${String(minute).padStart(2, '0')}:00+08:00`],
    );
    return rows[0].id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 10; i++) mine.push(await addIncident(await startReviewCase(t), i));
    // A case of the other district that the district-1 office has no part in.
    const other = await startReviewCase(t);
    await t.dataSource.query(
      `UPDATE workflow_instance SET owner_unit_id = (SELECT id FROM org_unit WHERE code = '339902001'), started_by = NULL WHERE id = $1`,
      [other],
    );
    await t.dataSource.query(
      `UPDATE workflow_task SET candidate_unit_ids = '{}', assignee_id = NULL, completed_by = NULL, escalated_to_unit_ids = '{}' WHERE instance_id = $1`,
      [other],
    );
    foreign = await addIncident(other, 30);
    // A resolved one is not listed.
    const resolved = await addIncident(await startReviewCase(t), 40);
    await t.dataSource.query(`UPDATE workflow_incident SET resolved_at = now() WHERE id = $1`, [resolved]);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (username: string, query: string) =>
    t
      .http()
      .get(`/workflow-incidents${query}`)
      .set('Authorization', `Bearer ${await t.token(username)}`);

  it('given open incidents of my cases and of another district, when I page through them, then I get mine, newest first, each once, with the right total', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await list('office', `?page=${page}&pageSize=3`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(10);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
    }
    expect(seen).toEqual([...mine].reverse());
    expect(seen).not.toContain(foreign);
  });

  it('given the city office, whose area holds both districts, then it sees the other district’s incident too', async () => {
    const res = await list('city-office', '?pageSize=100');
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: { id: string }) => x.id)).toContain(foreign);
    expect(res.body.total).toBe(11);
  });

  it('given ten open incidents, when the list is read, then the database is asked a fixed number of times, not once per case', async () => {
    await t.token('office');
    const { result, statements } = await captureStatements(() => list('office', '?pageSize=100'));
    expect(result.body.total).toBe(10);
    const reads = statements.filter((s) => /^SELECT/i.test(s) || /^WITH/i.test(s));
    // The session check plus the list (and its count): never one per case.
    expect(reads.length).toBeLessThanOrEqual(4);
  });
});
