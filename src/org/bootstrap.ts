import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { hashPassword, PASSWORD_PATTERN, PASSWORD_RULE } from '../auth/passwords.js';
import { Role } from '../auth/permissions.js';
import { OrgUnit, UnitKind } from './org-unit.entity.js';
import { User } from './user.entity.js';

export interface BootstrapOptions {
  cityCode: string;
  cityName: string;
  password: string;
}

/**
 * A new deployment's first step: the city unit and the three administrators (三员: sysadmin, secadmin,
 * auditor), who then build the organization through the admin API. Refused once anyone exists.
 */
export async function bootstrapDeployment(ds: DataSource, o: BootstrapOptions): Promise<void> {
  if (!/^[A-Za-z0-9-]{2,32}$/.test(o.cityCode))
    throw new Error('The city code must be 2–32 letters, digits or dashes.');
  if (!o.cityName.trim()) throw new Error('Give the city name.');
  if (!PASSWORD_PATTERN.test(o.password)) throw new Error(PASSWORD_RULE);
  const hash = await hashPassword(o.password);
  await ds.transaction(async (m) => {
    await m.query('LOCK TABLE app_user IN EXCLUSIVE MODE');
    if ((await m.count(User)) > 0 || (await m.count(OrgUnit)) > 0) {
      throw new Error('This database already has units or users: bootstrap is only for a new deployment.');
    }
    const id = randomUUID();
    await m.insert(OrgUnit, {
      id,
      code: o.cityCode,
      name: o.cityName.trim(),
      kind: UnitKind.CITY,
      parentId: null,
      path: `/${id}/`,
    });
    for (const [username, name, role] of [
      ['sysadmin', '系统管理员', Role.SYSTEM_ADMIN],
      ['secadmin', '安全管理员', Role.SECURITY_ADMIN],
      ['auditor', '安全审计员', Role.AUDITOR],
    ] as const) {
      await m.insert(User, { username, displayName: name, unitId: id, roles: [role], passwordHash: hash });
    }
    await new AuditService(ds).record(
      m,
      {},
      {
        action: 'deployment.bootstrapped',
        entityType: 'org_unit',
        entityId: id,
        data: { cityCode: o.cityCode },
      },
    );
  });
}
