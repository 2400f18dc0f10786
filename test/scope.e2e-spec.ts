import { OrgScope } from '../src/auth/org-scope.js';
import { UnitKind } from '../src/org/org-unit.entity.js';
import { startTestApp, type TestApp } from './helpers/app.js';

describe('role and unit scope', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const auth = async (username: string) => ({ Authorization: `Bearer ${await t.token(username)}` });

  beforeAll(async () => {
    t = await startTestApp();
    const rows: { code: string; id: string }[] = await t.dataSource.query('SELECT code, id FROM org_unit');
    for (const r of rows) ids[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a community committee', () => {
    it('given its own community, when reading it, then 200', async () => {
      const res = await t
        .http()
        .get(`/org/units/${ids['339901001001']}`)
        .set(await auth('committee'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ code: '339901001001', kind: 'COMMUNITY' });
    });

    it('given another community, when reading it, then it answers exactly like a missing one', async () => {
      const foreign = await t
        .http()
        .get(`/org/units/${ids['339901001002']}`)
        .set(await auth('committee'));
      const missing = await t
        .http()
        .get('/org/units/5b0e8d3c-1f9a-4c47-9a57-0d6a4b7f0c11')
        .set(await auth('committee'));
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(foreign.body.error.code).toBe('UNIT_NOT_FOUND');
      expect({ ...foreign.body.error, requestId: undefined }).toEqual({
        ...missing.body.error,
        requestId: undefined,
      });
    });

    it('given a malformed id, then the same 404', async () => {
      const res = await t
        .http()
        .get('/org/units/not-a-uuid')
        .set(await auth('committee'));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('UNIT_NOT_FOUND');
    });

    it('given the unit list, then it holds only its community and its superiors', async () => {
      const res = await t
        .http()
        .get('/org/units')
        .set(await auth('committee'));
      expect(res.status).toBe(200);
      expect(res.body.items.map((u: { code: string }) => u.code).sort()).toEqual([
        '3399',
        '339901',
        '339901001',
        '339901001001',
      ]);
    });

    it('given a community of another district, then committee-d2 cannot see district 1', async () => {
      const res = await t
        .http()
        .get(`/org/units/${ids['339901001001']}`)
        .set(await auth('committee-d2'));
      expect(res.status).toBe(404);
      const tree = await t
        .http()
        .get('/org/tree')
        .set(await auth('committee-d2'));
      expect(JSON.stringify(tree.body)).not.toContain('339901');
    });

    it('given the admin routes, then 403 FORBIDDEN naming the missing permission', async () => {
      const res = await t
        .http()
        .get('/admin/users')
        .set(await auth('committee'));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required: ['user:read'] } });
    });
  });

  describe('department staff', () => {
    it('given its district, then it sees the district tree but nothing of district 2', async () => {
      const res = await t
        .http()
        .get('/org/units')
        .set(await auth('dept-staff'));
      const codes: string[] = res.body.items.map((u: { code: string }) => u.code);
      expect(codes).toEqual(expect.arrayContaining(['339901', '339901001001', '339901-LG', '339901-WJ']));
      expect(codes.filter((c) => c.startsWith('339902'))).toEqual([]);
    });

    it('given its leading group, then it reads office, leader and members', async () => {
      const res = await t
        .http()
        .get(`/org/leading-groups/${ids['339901-LG']}`)
        .set(await auth('dept-staff'));
      expect(res.status).toBe(200);
      expect(res.body.office.code).toBe('339901-LGO');
      expect(res.body.principalLeader.username).toBe('leader');
      expect(res.body.members.map((m: { code: string }) => m.code)).toEqual([
        '339901-GA',
        '339901-RS',
        '339901-CZ',
      ]);
    });

    it('given a unit that is not a leading group, then LEADING_GROUP_NOT_FOUND', async () => {
      const res = await t
        .http()
        .get(`/org/leading-groups/${ids['339901']}`)
        .set(await auth('dept-staff'));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('LEADING_GROUP_NOT_FOUND');
    });

    it('given a unit creation, then 403', async () => {
      const res = await t
        .http()
        .post('/admin/units')
        .set(await auth('dept-staff'))
        .send({ code: 'X-1', name: 'x', kind: 'COMMUNITY', parentId: ids['339901001'] });
      expect(res.status).toBe(403);
    });
  });

  describe('administration and separation of duties (三员分立)', () => {
    it('given the system admin, when adding a community under a street, then it appears and is audited', async () => {
      const res = await t
        .http()
        .post('/admin/units')
        .set(await auth('sysadmin'))
        .send({ code: '339901001004', name: '梨花社区', kind: 'COMMUNITY', parentId: ids['339901001'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        code: '339901001004',
        kind: 'COMMUNITY',
        parentId: ids['339901001'],
        version: 1,
      });
      const street = await t
        .http()
        .get(`/org/units?parentId=${ids['339901001']}`)
        .set(await auth('street'));
      expect(street.body.items.map((u: { code: string }) => u.code)).toContain('339901001004');
      const audit = await t
        .http()
        .get(`/audit?entityId=${res.body.id}`)
        .set(await auth('auditor'));
      expect(audit.body.items[0]).toMatchObject({ action: 'unit.created', actorUsername: 'sysadmin' });
    });

    it('given a community under a district, then UNIT_PARENT_INVALID', async () => {
      const res = await t
        .http()
        .post('/admin/units')
        .set(await auth('sysadmin'))
        .send({ code: '339901009', name: '错位社区', kind: 'COMMUNITY', parentId: ids['339901'] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('UNIT_PARENT_INVALID');
    });

    it('given a code in use, then 409 UNIT_CODE_TAKEN', async () => {
      const res = await t
        .http()
        .post('/admin/units')
        .set(await auth('sysadmin'))
        .send({ code: '339901001001', name: '重复', kind: 'COMMUNITY', parentId: ids['339901001'] });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('UNIT_CODE_TAKEN');
    });

    it('given a stale version, when renaming a unit, then 409 CONCURRENT_UPDATE and nothing changes', async () => {
      const id = ids['339901002001'];
      const first = await t
        .http()
        .patch(`/admin/units/${id}`)
        .set(await auth('sysadmin'))
        .send({ name: '朝晖新社区', version: 1 });
      expect(first.status).toBe(200);
      expect(first.body.version).toBe(2);
      const second = await t
        .http()
        .patch(`/admin/units/${id}`)
        .set(await auth('sysadmin'))
        .send({ name: '旧名', version: 1 });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('CONCURRENT_UPDATE');
      expect((await t.dataSource.query('SELECT name FROM org_unit WHERE id = $1', [id]))[0].name).toBe(
        '朝晖新社区',
      );
    });

    it('given a unit with users, when deactivating it, then 409 UNIT_HAS_CHILDREN', async () => {
      const res = await t
        .http()
        .patch(`/admin/units/${ids['339901001001']}`)
        .set(await auth('sysadmin'))
        .send({ active: false, version: 1 });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('UNIT_HAS_CHILDREN');
    });

    it('given the system admin, then it may not read the audit trail, and the auditor may not manage users', async () => {
      expect(
        (
          await t
            .http()
            .get('/audit')
            .set(await auth('sysadmin'))
        ).status,
      ).toBe(403);
      const res = await t
        .http()
        .post('/admin/users')
        .set(await auth('auditor'))
        .send({ username: 'x-user', displayName: 'x', unitId: ids['3399'], password: 'abcdefg1' });
      expect(res.status).toBe(403);
    });

    it('given a new account, when the system admin creates it, then it has no roles until the security admin grants them', async () => {
      const created = await t
        .http()
        .post('/admin/users')
        .set(await auth('sysadmin'))
        .send({
          username: 'Committee-3',
          displayName: '梨园社区居委会',
          unitId: ids['339901001003'],
          password: 'Start2026a',
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'committee-3', roles: [] });
      const bySysadmin = await t
        .http()
        .put(`/admin/users/${created.body.id}/roles`)
        .set(await auth('sysadmin'))
        .send({ roles: ['COMMITTEE'], version: created.body.version });
      expect(bySysadmin.status).toBe(403);
      const granted = await t
        .http()
        .put(`/admin/users/${created.body.id}/roles`)
        .set(await auth('secadmin'))
        .send({ roles: ['COMMITTEE'], version: created.body.version });
      expect(granted.status).toBe(200);
      expect(granted.body.roles).toEqual(['COMMITTEE']);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee-3', password: 'Start2026a' });
      expect(login.status).toBe(200);
      expect(login.body.user.unit.code).toBe('339901001003');
    });

    it('given a username in use, then 409 USERNAME_TAKEN', async () => {
      const res = await t
        .http()
        .post('/admin/users')
        .set(await auth('sysadmin'))
        .send({
          username: 'committee',
          displayName: 'x',
          unitId: ids['339901001001'],
          password: 'Start2026a',
        });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('USERNAME_TAKEN');
    });

    it('given two of the three admin roles on one account, then 409 ROLE_CONFLICT, and the database refuses it too', async () => {
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'auditor'`)
      )[0];
      const res = await t
        .http()
        .put(`/admin/users/${user.id}/roles`)
        .set(await auth('secadmin'))
        .send({ roles: ['AUDITOR', 'SYSTEM_ADMIN'], version: user.version });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ROLE_CONFLICT');
      await expect(
        t.dataSource.query(`UPDATE app_user SET roles = '{AUDITOR,SECURITY_ADMIN}' WHERE id = $1`, [user.id]),
      ).rejects.toThrow(/ck_app_user_separation_of_duties/);
    });

    it('given a role that does not fit the unit, then 400 naming the role', async () => {
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'committee-2'`)
      )[0];
      const res = await t
        .http()
        .put(`/admin/users/${user.id}/roles`)
        .set(await auth('secadmin'))
        .send({ roles: ['LEADER'], version: user.version });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toContain('LEADER');
    });

    it('given the security admin, when changing its own roles, then 403', async () => {
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'secadmin'`)
      )[0];
      const res = await t
        .http()
        .put(`/admin/users/${user.id}/roles`)
        .set(await auth('secadmin'))
        .send({ roles: [], version: user.version });
      expect(res.status).toBe(403);
    });

    it('given a role change, then the user’s live token stops working', async () => {
      const token = await t.token('dept2-staff');
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'dept2-staff'`)
      )[0];
      const res = await t
        .http()
        .put(`/admin/users/${user.id}/roles`)
        .set(await auth('secadmin'))
        .send({ roles: ['DEPT_STAFF', 'DEPT_HEAD'], version: user.version });
      expect(res.status).toBe(200);
      expect((await t.http().get('/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    });

    it('given the leading group, when the admin sets members of another district, then every bad id is named', async () => {
      const res = await t
        .http()
        .put(`/admin/leading-groups/${ids['339901-LG']}`)
        .set(await auth('sysadmin'))
        .send({ memberUnitIds: [ids['339901-GA'], ids['339902001'], ids['3399-MZ']] });
      expect(res.status).toBe(400);
      const text = JSON.stringify(res.body.error.details);
      expect(text).toContain(ids['339902001']);
      expect(text).toContain(ids['3399-MZ']);
      expect(text).not.toContain(ids['339901-GA']);
      const ok = await t
        .http()
        .put(`/admin/leading-groups/${ids['339901-LG']}`)
        .set(await auth('sysadmin'))
        .send({ memberUnitIds: [ids['339901-GA'], ids['339901-ZJ']] });
      expect(ok.status).toBe(200);
      expect(ok.body.members.map((m: { code: string }) => m.code)).toEqual(['339901-GA', '339901-ZJ']);
    });

    it('given the audit trail after all this, then its hash chain is intact, and an edit is refused by the database', async () => {
      const res = await t
        .http()
        .get('/audit/verify')
        .set(await auth('auditor'));
      expect(res.status).toBe(200);
      expect(res.body.intact).toBe(true);
      expect(res.body.checked).toBeGreaterThan(5);
      await expect(t.dataSource.query(`UPDATE audit_record SET action = 'x' WHERE seq = 1`)).rejects.toThrow(
        /append-only/,
      );
      await expect(t.dataSource.query(`DELETE FROM audit_record`)).rejects.toThrow(/append-only/);
    });

    it('given a row altered behind the triggers’ back, then verify names where the chain breaks', async () => {
      await t.dataSource.transaction(async (m) => {
        await m.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_no_update');
        await m.query(`UPDATE audit_record SET actor_username = 'someone-else' WHERE seq = 3`);
        await m.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_no_update');
      });
      const res = await t
        .http()
        .get('/audit/verify')
        .set(await auth('auditor'));
      expect(res.body).toMatchObject({ intact: false, firstBrokenSeq: '3', checked: 2 });
    });
  });
  describe('the organization scope on the real organization', () => {
    const missing = '5b0e8d3c-1f9a-4c47-9a57-0d6a4b7f0c11';
    const pathOf = async (code: string): Promise<string> =>
      (await t.dataSource.query('SELECT path FROM org_unit WHERE code = $1', [code]))[0].path;

    it('given ids of communities of two districts, a street and a missing one, then only the district’s communities are in its area', async () => {
      const scope = t.app.get(OrgScope);
      const d1 = await pathOf('339901');
      const asked = [
        ids['339901001001'],
        ids['339902001001'],
        ids['339901001'],
        missing,
        ids['339901002003'],
      ];
      expect((await scope.communitiesInArea(t.dataSource.manager, asked, d1)).sort()).toEqual(
        [ids['339901001001'], ids['339901002003']].sort(),
      );
    });

    it('given a foreign unit and a missing one, then neither is in the area, alike', async () => {
      const scope = t.app.get(OrgScope);
      const s1 = await pathOf('339901001');
      const m = t.dataSource.manager;
      expect(await scope.unitInArea(m, ids['339901001002'], s1)).toBe(true);
      expect(await scope.unitInArea(m, ids['339901002001'], s1)).toBe(false);
      expect(await scope.unitInArea(m, missing, s1)).toBe(false);
      expect(await scope.unitInArea(m, ids['339901001'], s1, { kinds: [UnitKind.COMMUNITY] })).toBe(false);
    });

    it('given a street, then the communities under it are its three; given units, then their levels are their districts or the city', async () => {
      const scope = t.app.get(OrgScope);
      const m = t.dataSource.manager;
      expect((await scope.communitiesUnder(m, ids['339902002'])).sort()).toEqual(
        ['339902002001', '339902002002', '339902002003'].map((c) => ids[c]).sort(),
      );
      expect(await scope.communitiesUnder(m, missing)).toEqual([]);
      expect(
        (await scope.levelPaths(m, [ids['339901001001'], ids['339901-GA'], ids['3399-MZ']])).sort(),
      ).toEqual([await pathOf('3399'), await pathOf('339901')].sort());
    });
  });
});
