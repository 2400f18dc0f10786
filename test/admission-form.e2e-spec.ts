import { randomUUID } from 'node:crypto';
import { makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

const HOSTILE = `体检<script>alert("x")</script>&"'`;
const HOSTILE_ESCAPED = '体检&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#39;';

describe('the printable 社区工作准入审批表 (GET /applications/:id/form.html)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const form = async (id: string, user: string | null) => {
    const req = t.http().get(`/applications/${id}/form.html`);
    return user ? req.set(await auth(user)) : req;
  };
  /** A user's name and unit as the form prints them. */
  const who = async (username: string) =>
    (
      await t.dataSource.query(
        `SELECT u.display_name AS name, o.name AS unit FROM app_user u JOIN org_unit o ON o.id = u.unit_id WHERE u.username = $1`,
        [username],
      )
    )[0] as { name: string; unit: string };
  /** The table row of the form that holds this text (its header or a cell). */
  const rowWith = (html: string, marker: string) => {
    const rows = html.split('<tr>').filter((r) => r.includes(marker));
    expect({ marker, rows: rows.length }).toEqual({ marker, rows: 1 });
    return rows[0];
  };

  let applicationId: string;
  let instanceId: string;

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-01-04');
    const body = makeApplication([unit['339901001001'], unit['339901001002']], {
      title: HOSTILE,
      content: '慢病患者每月随访一次。\n随访结果录入系统。',
      legalBasisDocument: '国卫基层发〔2025〕1号',
      legalBasisArticle: '第三条',
      fundingPerCommunityFen: 1234567,
      supportOffered: '派员培训',
    });
    const d = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(body);
    expect(d.status).toBe(201);
    applicationId = d.body.id;
    const s = await t
      .http()
      .post(`/applications/${applicationId}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(s.status).toBe(200);
    instanceId = s.body.instanceId;
    // Each review on its own day, so that each date on the form is the one of its review.
    const steps: [string, string, string, string][] = [
      ['2027-01-05', 'dept-head', 'deptApprove', '同意报送，经费已列入预算'],
      ['2027-01-06', 'office', 'completeness', '材料齐全'],
      ['2027-01-07', 'office', 'scopeReview', '属于公共卫生领域，无重复事项'],
      ['2027-01-08', 'member-1', 'countersign', '公安分局无意见'],
      ['2027-01-11', 'member-2', 'countersign', '人社局同意'],
      ['2027-01-12', 'member-3', 'countersign', '财政局同意，经费按期划转'],
      ['2027-01-13', 'leader', 'leaderSign', '同意准入'],
    ];
    for (const [day, user, element, comment] of steps) {
      moveClockTo(t, day);
      const res = await act(t, user, instanceId, element, { decision: 'approve', comment });
      expect({ user, element, status: res.status }).toEqual({ user, element, status: 200 });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a case walked up to the signature, then the form shows all four opinions with person, unit and date', async () => {
    const res = await form(applicationId, 'dept-staff');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);

    const head = await who('dept-head');
    const dept = rowWith(html, '<th>部门意见</th>');
    for (const v of ['同意', '同意报送，经费已列入预算', head.name, head.unit, '2027年1月5日'])
      expect({ box: '部门意见', v, present: dept.includes(v) }).toEqual({
        box: '部门意见',
        v,
        present: true,
      });

    const office = await who('office');
    const officeRow = rowWith(html, '办公室意见');
    for (const v of [
      '【完整性审查】同意',
      '材料齐全',
      '2027年1月6日',
      '【范围与重复审查】同意',
      '属于公共卫生领域，无重复事项',
      '2027年1月7日',
      office.name,
      office.unit,
    ])
      expect({ box: '办公室意见', v, present: officeRow.includes(v) }).toEqual({
        box: '办公室意见',
        v,
        present: true,
      });

    // 成员单位会签意见: one row per member unit, each with its own signer and day.
    const members: [string, string, string, string][] = [
      ['member-1', '东湖区公安分局', '公安分局无意见', '2027年1月8日'],
      ['member-2', '东湖区人力资源和社会保障局', '人社局同意', '2027年1月11日'],
      ['member-3', '东湖区财政局', '财政局同意，经费按期划转', '2027年1月12日'],
    ];
    expect(html).toContain('<th rowspan="3">成员单位<br>会签意见</th>');
    for (const [user, unitName, comment, day] of members) {
      const m = await who(user);
      const r = rowWith(html, `<td class="member-unit">${unitName}</td>`);
      for (const v of ['同意', comment, m.name, m.unit, day])
        expect({ member: unitName, v, present: r.includes(v) }).toEqual({
          member: unitName,
          v,
          present: true,
        });
    }

    const leader = await who('leader');
    const sign = rowWith(html, '<th>主要领导签批</th>');
    for (const v of ['同意准入', leader.name, leader.unit, '2027年1月13日'])
      expect({ box: '主要领导签批', v, present: sign.includes(v) }).toEqual({
        box: '主要领导签批',
        v,
        present: true,
      });
  });

  it('given the signed application, then every field prints in Chinese, the amount in 元 exact to the fen, the title escaped', async () => {
    const html = (await form(applicationId, 'office')).text;
    const number: string = (
      await t.dataSource.query('SELECT admission_number FROM admitted_item WHERE application_id = $1', [
        applicationId,
      ])
    )[0].admission_number;
    for (const v of [
      '东湖区社区建设工作领导小组',
      number,
      '东湖区卫生健康委员会',
      '2027年1月4日',
      '工作任务',
      '慢病患者每月随访一次。<br>随访结果录入系统。',
      '国卫基层发〔2025〕1号 第三条',
      '公共卫生',
      '杏花社区、桃园社区',
      '随访、登记',
      '慢病患者',
      '登记',
      '2027年6月1日 至 2027年12月31日',
      '每月一次',
      '每个社区每月约 4.0 小时',
      '每个社区 12,345.67元，2个社区合计 24,691.34元',
      '区财政专项',
      '派员培训',
      '张卫',
      '0571-88888888',
      '法定协助范围',
      '负面清单',
      '重复事项',
      '提前申请期限',
    ])
      expect({ v, present: html.includes(v) }).toEqual({ v, present: true });
    expect(html).toMatch(/<td>已签批，待经费到位<\/td>|<td>已准入<\/td>/);
    expect(html).toContain(HOSTILE_ESCAPED);
    expect(html).not.toContain('<script');
    expect(html).not.toContain(`&"'`);
    expect(html).not.toMatch(/<link|<img|<iframe|src=|href=|url\(|@import/i);
    expect(html).toContain('@page { size: A4;');
  });

  it('given each reviewer of the area, then they print the form as they read the application', async () => {
    for (const user of ['office', 'member-2', 'leader', 'finance']) {
      const app = await t
        .http()
        .get(`/applications/${applicationId}`)
        .set(await auth(user));
      const res = await form(applicationId, user);
      expect({ user, application: app.status, form: res.status }).toEqual({
        user,
        application: 200,
        form: 200,
      });
    }
  });

  it('given a foreign unit, then the form answers exactly like a missing application: 404 in the error envelope', async () => {
    const missing = await form(randomUUID(), 'dept2-staff');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(missing.body.error.code).toBe('APPLICATION_NOT_FOUND');
    expect(missing.body.error.message).toMatch(/^找不到/);
    // The same answer but for the request's own id.
    const answer = (b: { error: Record<string, unknown> }) => ({ ...b.error, requestId: undefined });
    for (const user of ['dept2-staff', 'committee', 'committee-d2', 'street']) {
      const res = await form(applicationId, user);
      expect({ user, status: res.status, error: answer(res.body) }).toEqual({
        user,
        status: 404,
        error: answer(missing.body),
      });
    }
    // Not a UUID: missing too.
    expect((await form('not-an-id', 'dept-staff')).status).toBe(404);
  });

  it('given a draft, then its department prints it with empty opinion boxes, and the office does not see it', async () => {
    const d = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send({ title: '草稿事项' });
    expect(d.status).toBe(201);
    const own = await form(d.body.id, 'dept-staff');
    expect(own.status).toBe(200);
    expect(own.text).toContain('<td>草稿（未提交）</td>');
    expect(own.text).toContain('（待部门负责人审核）');
    expect(own.text).toContain('（待主要领导签批）');
    const office = await form(d.body.id, 'office');
    expect(office.status).toBe(404);
    expect(office.body.error.code).toBe('APPLICATION_NOT_FOUND');
  });

  it('given no login, then the form answers 401 in the error envelope', async () => {
    const res = await form(applicationId, null);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('given the OpenAPI document, then the route is there and produces text/html', async () => {
    const doc = (await t.http().get('/docs-json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const op = doc.paths['/applications/{id}/form.html']?.get;
    expect(op).toBeDefined();
    expect(Object.keys(op!.responses['200'].content ?? {})).toEqual(['text/html']);
    expect(op!.responses['404']).toBeDefined();
  });
});
