import { UnitKind } from '../org/org-unit.entity.js';

/** What a handler may require. Handlers name permissions, never roles (DESIGN "Who uses it"). */
export enum Permission {
  ORG_READ = 'org:read',
  UNIT_MANAGE = 'unit:manage',
  USER_READ = 'user:read',
  USER_MANAGE = 'user:manage',
  ROLE_ASSIGN = 'role:assign',
  ACCOUNT_UNLOCK = 'account:unlock',
  AUDIT_READ = 'audit:read',
  APPLICATION_DRAFT = 'application:draft',
  APPLICATION_DEPT_APPROVE = 'application:dept-approve',
  APPLICATION_REVIEW = 'application:review',
  APPLICATION_COUNTERSIGN = 'application:countersign',
  APPLICATION_SIGN = 'application:sign',
  FUNDING_REGISTER = 'funding:register',
  FUNDING_CONFIRM = 'funding:confirm',
  DISPATCH_SEND = 'dispatch:send',
  DISPATCH_RESPOND = 'dispatch:respond',
  DISPUTE_RULE_STREET = 'dispute:rule-street',
  DISPUTE_RULE_OFFICE = 'dispute:rule-office',
  /** Read contested refusals (拒绝争议): the street and the office of their area, the department, the committee. */
  DISPUTE_READ = 'dispute:read',
  EVALUATION_RECORD = 'evaluation:record',
  EXIT_PROPOSE = 'exit:propose',
  REGISTRY_MANAGE = 'registry:manage',
  WORKFLOW_ADMIN = 'workflow:admin',
  WORKFLOW_OVERSEE = 'workflow:oversee',
  BURDEN_READ = 'burden:read',
  /** Read the stamp-list proposals of one's level (the office that proposes, the leader who approves). */
  STAMP_PROPOSAL_READ = 'stamp-proposal:read',
}

export enum Role {
  SYSTEM_ADMIN = 'SYSTEM_ADMIN', // 系统管理员
  SECURITY_ADMIN = 'SECURITY_ADMIN', // 安全管理员
  AUDITOR = 'AUDITOR', // 审计员
  DEPT_STAFF = 'DEPT_STAFF', // 职能部门经办人
  DEPT_HEAD = 'DEPT_HEAD', // 部门负责人
  OFFICE = 'OFFICE', // 领导小组办公室
  MEMBER = 'MEMBER', // 领导小组成员单位代表
  LEADER = 'LEADER', // 主要领导
  FINANCE = 'FINANCE', // 财政
  STREET = 'STREET', // 街道办事处
  COMMITTEE = 'COMMITTEE', // 社区居委会
}
export const ROLES = Object.values(Role);

/** 三员分立: no account may hold two of these. */
export const SEPARATED_ROLES: Role[] = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR];

const P = Permission;
export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  [Role.SYSTEM_ADMIN]: [P.ORG_READ, P.UNIT_MANAGE, P.USER_READ, P.USER_MANAGE, P.WORKFLOW_ADMIN],
  [Role.SECURITY_ADMIN]: [P.ORG_READ, P.USER_READ, P.ROLE_ASSIGN, P.ACCOUNT_UNLOCK],
  [Role.AUDITOR]: [P.ORG_READ, P.USER_READ, P.AUDIT_READ],
  [Role.DEPT_STAFF]: [
    P.ORG_READ,
    P.APPLICATION_DRAFT,
    P.FUNDING_REGISTER,
    P.DISPATCH_SEND,
    P.DISPUTE_READ,
    P.EXIT_PROPOSE,
  ],
  [Role.DEPT_HEAD]: [P.ORG_READ, P.APPLICATION_DEPT_APPROVE, P.EXIT_PROPOSE],
  [Role.OFFICE]: [
    P.ORG_READ,
    P.APPLICATION_REVIEW,
    P.DISPUTE_RULE_OFFICE,
    P.DISPUTE_READ,
    P.EXIT_PROPOSE,
    P.REGISTRY_MANAGE,
    P.BURDEN_READ,
    P.WORKFLOW_OVERSEE,
    P.STAMP_PROPOSAL_READ,
  ],
  [Role.MEMBER]: [P.ORG_READ, P.APPLICATION_COUNTERSIGN],
  [Role.LEADER]: [P.ORG_READ, P.APPLICATION_SIGN, P.BURDEN_READ, P.STAMP_PROPOSAL_READ],
  [Role.FINANCE]: [P.ORG_READ, P.FUNDING_CONFIRM],
  [Role.STREET]: [P.ORG_READ, P.DISPUTE_RULE_STREET, P.DISPUTE_READ, P.BURDEN_READ],
  [Role.COMMITTEE]: [P.ORG_READ, P.DISPATCH_RESPOND, P.DISPUTE_READ, P.EVALUATION_RECORD, P.EXIT_PROPOSE],
};

/** The kinds of unit a holder of each role must belong to. */
export const ROLE_UNIT_KINDS: Record<Role, UnitKind[]> = {
  [Role.SYSTEM_ADMIN]: [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.DEPARTMENT],
  [Role.SECURITY_ADMIN]: [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.DEPARTMENT],
  [Role.AUDITOR]: [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.DEPARTMENT],
  [Role.DEPT_STAFF]: [UnitKind.DEPARTMENT],
  [Role.DEPT_HEAD]: [UnitKind.DEPARTMENT],
  [Role.OFFICE]: [UnitKind.LEADING_GROUP_OFFICE],
  [Role.MEMBER]: [UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.FINANCE, UnitKind.LEADING_GROUP_OFFICE],
  [Role.LEADER]: [UnitKind.LEADING_GROUP],
  [Role.FINANCE]: [UnitKind.FINANCE],
  [Role.STREET]: [UnitKind.STREET],
  [Role.COMMITTEE]: [UnitKind.COMMUNITY],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
}

/** Roles whose holders see the whole tree under their area (admins: from their unit's area down). */
export const AREA_WIDE_ROLES: Role[] = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR];
