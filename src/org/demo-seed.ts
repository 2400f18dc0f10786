import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AuditService } from '../audit/audit.service.js';
import { seedDemoStampList } from '../stamps/demo-stamp-list.js';
import { hashPassword } from '../auth/passwords.js';
import { Role } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { SystemSetting } from '../database/system-setting.entity.js';
import { LeadingGroupMember } from './leading-group-member.entity.js';
import { OrgUnit, UnitKind } from './org-unit.entity.js';
import { User } from './user.entity.js';

const SEEDED_KEY = 'demo_seeded_at';

interface UnitSpec {
  key: string;
  code: string;
  name: string;
  kind: UnitKind;
  parent?: string;
}

/** The demo organization (DESIGN "Demo data"): one city, two districts, four streets, twelve communities. */
const UNITS: UnitSpec[] = [
  { key: 'city', code: '3399', name: '示范市', kind: UnitKind.CITY },
  { key: 'd1', code: '339901', name: '东湖区', kind: UnitKind.DISTRICT, parent: 'city' },
  { key: 'd2', code: '339902', name: '西山区', kind: UnitKind.DISTRICT, parent: 'city' },
  { key: 's1', code: '339901001', name: '东华街道', kind: UnitKind.STREET, parent: 'd1' },
  { key: 's2', code: '339901002', name: '朝阳街道', kind: UnitKind.STREET, parent: 'd1' },
  { key: 's3', code: '339902001', name: '南湖街道', kind: UnitKind.STREET, parent: 'd2' },
  { key: 's4', code: '339902002', name: '北山街道', kind: UnitKind.STREET, parent: 'd2' },
  ...(
    [
      ['s1', ['杏花', '桃园', '柳岸']],
      ['s2', ['朝晖', '明珠', '和平']],
      ['s3', ['湖滨', '枫林', '青石']],
      ['s4', ['松岭', '泉水', '白塔']],
    ] as const
  ).flatMap(([street, names], si) =>
    names.map((n, i) => ({
      key: `c${si * 3 + i + 1}`,
      code: `${['339901001', '339901002', '339902001', '339902002'][si]}00${i + 1}`,
      name: `${n}社区`,
      kind: UnitKind.COMMUNITY,
      parent: street,
    })),
  ),
  { key: 'd1-police', code: '339901-GA', name: '东湖区公安分局', kind: UnitKind.DEPARTMENT, parent: 'd1' },
  {
    key: 'd1-health',
    code: '339901-WJ',
    name: '东湖区卫生健康委员会',
    kind: UnitKind.DEPARTMENT,
    parent: 'd1',
  },
  {
    key: 'd1-hrss',
    code: '339901-RS',
    name: '东湖区人力资源和社会保障局',
    kind: UnitKind.DEPARTMENT,
    parent: 'd1',
  },
  { key: 'd1-civil', code: '339901-MZ', name: '东湖区民政局', kind: UnitKind.DEPARTMENT, parent: 'd1' },
  { key: 'd1-fin', code: '339901-CZ', name: '东湖区财政局', kind: UnitKind.DEPARTMENT, parent: 'd1' },
  {
    key: 'd1-housing',
    code: '339901-ZJ',
    name: '东湖区住房和城乡建设委员会',
    kind: UnitKind.DEPARTMENT,
    parent: 'd1',
  },
  { key: 'city-civil', code: '3399-MZ', name: '示范市民政局', kind: UnitKind.DEPARTMENT, parent: 'city' },
  { key: 'city-fin', code: '3399-CZ', name: '示范市财政局', kind: UnitKind.DEPARTMENT, parent: 'city' },
  {
    key: 'city-health',
    code: '3399-WJ',
    name: '示范市卫生健康委员会',
    kind: UnitKind.DEPARTMENT,
    parent: 'city',
  },
  {
    key: 'city-lg',
    code: '3399-LG',
    name: '示范市社区建设工作领导小组',
    kind: UnitKind.LEADING_GROUP,
    parent: 'city',
  },
  {
    key: 'city-office',
    code: '3399-LGO',
    name: '示范市社区建设工作领导小组办公室',
    kind: UnitKind.LEADING_GROUP_OFFICE,
    parent: 'city-lg',
  },
  {
    key: 'd1-lg',
    code: '339901-LG',
    name: '东湖区社区建设工作领导小组',
    kind: UnitKind.LEADING_GROUP,
    parent: 'd1',
  },
  {
    key: 'd1-office',
    code: '339901-LGO',
    name: '东湖区社区建设工作领导小组办公室',
    kind: UnitKind.LEADING_GROUP_OFFICE,
    parent: 'd1-lg',
  },
  {
    key: 'd1-finance',
    code: '339901-CW',
    name: '东湖区社区财务专账管理中心',
    kind: UnitKind.FINANCE,
    parent: 'd1',
  },
];

const MEMBERS: Record<string, string[]> = {
  'city-lg': ['city-civil', 'city-fin', 'city-health'],
  'd1-lg': ['d1-police', 'd1-hrss', 'd1-fin'],
};

const USERS: { username: string; name: string; unit: string; roles: Role[] }[] = [
  { username: 'sysadmin', name: '系统管理员', unit: 'city', roles: [Role.SYSTEM_ADMIN] },
  { username: 'secadmin', name: '安全管理员', unit: 'city', roles: [Role.SECURITY_ADMIN] },
  { username: 'auditor', name: '安全审计员', unit: 'city', roles: [Role.AUDITOR] },
  { username: 'dept-staff', name: '张卫（区卫健委经办人）', unit: 'd1-health', roles: [Role.DEPT_STAFF] },
  { username: 'dept-head', name: '李健（区卫健委负责人）', unit: 'd1-health', roles: [Role.DEPT_HEAD] },
  { username: 'dept2-staff', name: '赵住（区住建委经办人）', unit: 'd1-housing', roles: [Role.DEPT_STAFF] },
  { username: 'office', name: '王民（区领导小组办公室）', unit: 'd1-office', roles: [Role.OFFICE] },
  { username: 'member-1', name: '刘安（区公安分局）', unit: 'd1-police', roles: [Role.MEMBER] },
  { username: 'member-2', name: '陈保（区人社局）', unit: 'd1-hrss', roles: [Role.MEMBER] },
  { username: 'member-3', name: '周财（区财政局）', unit: 'd1-fin', roles: [Role.MEMBER] },
  { username: 'leader', name: '孙正（区领导小组组长）', unit: 'd1-lg', roles: [Role.LEADER] },
  { username: 'finance', name: '吴账（区社区财务专账）', unit: 'd1-finance', roles: [Role.FINANCE] },
  { username: 'street', name: '郑街（东华街道办事处）', unit: 's1', roles: [Role.STREET] },
  { username: 'committee', name: '何杏（杏花社区居委会主任）', unit: 'c1', roles: [Role.COMMITTEE] },
  // A second member of 杏花社区's committee: a stamp needs a handler and an approver (用印登记, src/stamps).
  { username: 'committee-member', name: '林芳（杏花社区居委会委员）', unit: 'c1', roles: [Role.COMMITTEE] },
  { username: 'committee-2', name: '陶园（桃园社区居委会主任）', unit: 'c2', roles: [Role.COMMITTEE] },
  { username: 'committee-d2', name: '胡滨（湖滨社区居委会主任）', unit: 'c7', roles: [Role.COMMITTEE] },
  { username: 'city-office', name: '钱市（市领导小组办公室）', unit: 'city-office', roles: [Role.OFFICE] },
  { username: 'city-leader', name: '冯长（市领导小组组长）', unit: 'city-lg', roles: [Role.LEADER] },
];
export const DEMO_USERNAMES = USERS.map((u) => u.username);

/** Seeds the demo organization and users once; answers false when they were already there. */
export async function seedDemo(
  dataSource: DataSource,
  password: string,
  audit: AuditService,
  clock: Clock = new Clock(),
): Promise<boolean> {
  const hashes = await Promise.all(USERS.map(() => hashPassword(password)));
  return dataSource.transaction(async (m: EntityManager) => {
    await m.query('LOCK TABLE system_setting IN EXCLUSIVE MODE');
    if (await m.findOneBy(SystemSetting, { key: SEEDED_KEY })) return false;
    const ids = new Map<string, OrgUnit>();
    for (const spec of UNITS) {
      const id = randomUUID();
      const parent = spec.parent ? ids.get(spec.parent)! : null;
      const unit = m.create(OrgUnit, {
        id,
        code: spec.code,
        name: spec.name,
        kind: spec.kind,
        parentId: parent?.id ?? null,
        path: `${parent?.path ?? '/'}${id}/`,
      });
      await m.insert(OrgUnit, unit);
      ids.set(spec.key, unit);
    }
    for (const [group, members] of Object.entries(MEMBERS)) {
      await m.insert(
        LeadingGroupMember,
        members.map((key, position) => ({ groupId: ids.get(group)!.id, unitId: ids.get(key)!.id, position })),
      );
    }
    const userIds = new Map<string, string>();
    for (const [i, u] of USERS.entries()) {
      const r = await m.insert(User, {
        username: u.username,
        displayName: u.name,
        unitId: ids.get(u.unit)!.id,
        roles: u.roles,
        passwordHash: hashes[i],
      });
      userIds.set(u.username, r.identifiers[0].id as string);
    }
    await m.update(OrgUnit, { id: ids.get('d1-lg')!.id }, { principalLeaderId: userIds.get('leader')! });
    await m.update(
      OrgUnit,
      { id: ids.get('city-lg')!.id },
      { principalLeaderId: userIds.get('city-leader')! },
    );
    // The demo city's allowed stamp list, beside the national prohibitions (src/stamps).
    await seedDemoStampList(m, audit);
    await m.insert(SystemSetting, { key: SEEDED_KEY, value: clock.now().toISOString() });
    await audit.record(
      m,
      {},
      { action: 'demo.seeded', entityType: 'system', data: { units: UNITS.length, users: USERS.length } },
    );
    return true;
  });
}
