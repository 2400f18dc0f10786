import type { DataSource } from 'typeorm';
import type { Principal } from '../common/actor.js';
import { OrgScope } from '../auth/org-scope.js';
import { OrgService } from './org.service.js';

/** A data source whose every read fails as a database that went away does. */
function unreachable(): DataSource {
  const gone = Object.assign(new Error('Connection terminated unexpectedly'), {});
  const manager = { findOneBy: () => Promise.reject(gone) };
  return { manager, transaction: (work: (m: unknown) => unknown) => work(manager) } as unknown as DataSource;
}

describe('organization service while the database is away', () => {
  const p = { scopePath: '/city/', unitPath: '/city/office/' } as Principal;

  it('given the database gone, when a leading group is read, then the failure goes on (503), not LEADING_GROUP_NOT_FOUND', async () => {
    const org = new OrgService(unreachable(), {} as never, {} as never, new OrgScope());
    await expect(org.getLeadingGroup(p, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(
      'Connection terminated unexpectedly',
    );
  });

  it('given the database gone, when a leading group is set, then the failure goes on, not LEADING_GROUP_NOT_FOUND', async () => {
    const org = new OrgService(unreachable(), {} as never, {} as never, new OrgScope());
    await expect(
      org.setLeadingGroup({ principal: p }, '00000000-0000-4000-8000-000000000000', {
        memberUnitIds: [],
      }),
    ).rejects.toThrow('Connection terminated unexpectedly');
  });
});
