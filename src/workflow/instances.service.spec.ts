import type { DataSource } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { InstancesService } from './instances.service.js';

describe('incident list', () => {
  const rows = [
    { id: 'i1', instanceId: 'mine', resolvedAt: null },
    { id: 'i2', instanceId: 'foreign', resolvedAt: null },
  ];
  const dataSource = { getRepository: () => ({ find: async () => rows }) } as unknown as DataSource;
  const p = {} as Principal;
  const none = {} as never;
  const service = () => new InstancesService(dataSource, none, none, none, none, new OrgScope());

  it('given incidents of cases the user may and may not see, then only theirs are listed', async () => {
    const s = service();
    s.findVisible = async (_p, id) => {
      if (id === 'mine') return {} as never;
      throw new AppError('INSTANCE_NOT_FOUND');
    };
    expect((await s.incidents(p)).items.map((r) => r.id)).toEqual(['i1']);
  });

  it('given the database gone while cases are checked, then the request fails (503) rather than list too few', async () => {
    const s = service();
    s.findVisible = async (_p, id) => {
      if (id === 'mine') return {} as never;
      throw new Error('Connection terminated unexpectedly');
    };
    await expect(s.incidents(p)).rejects.toThrow('Connection terminated unexpectedly');
  });
});
