import { Role } from '../auth/permissions.js';
import { AppError } from '../common/errors.js';
import { OrgUnit, UnitKind } from './org-unit.entity.js';
import { checkRoles } from './users.service.js';

const unit = (kind: UnitKind) => Object.assign(new OrgUnit(), { kind });

describe('role rules', () => {
  it('given two of system admin, security admin and auditor, then ROLE_CONFLICT (三员分立)', () => {
    for (const pair of [
      [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN],
      [Role.SYSTEM_ADMIN, Role.AUDITOR],
      [Role.SECURITY_ADMIN, Role.AUDITOR],
    ]) {
      expect(() => checkRoles(pair, unit(UnitKind.CITY))).toThrow(AppError);
      try {
        checkRoles(pair, unit(UnitKind.CITY));
      } catch (e) {
        expect((e as AppError).code).toBe('ROLE_CONFLICT');
      }
    }
  });

  it('given a role that fits the unit, then it passes; one that does not is refused', () => {
    expect(() => checkRoles([Role.COMMITTEE], unit(UnitKind.COMMUNITY))).not.toThrow();
    expect(() => checkRoles([Role.DEPT_STAFF, Role.DEPT_HEAD], unit(UnitKind.DEPARTMENT))).not.toThrow();
    try {
      checkRoles([Role.COMMITTEE], unit(UnitKind.DEPARTMENT));
      throw new Error('no error');
    } catch (e) {
      expect((e as AppError).code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify((e as AppError).details)).toContain('COMMITTEE');
    }
  });
});
