import type { EntityManager } from 'typeorm';
import { Permission, Role } from '../auth/permissions.js';
import type { Principal } from '../common/actor.js';
import { TaskHolders } from './task-holders.service.js';
import type { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';

/**
 * Who may release or hand over a task stuck with someone (the office's hand on a step): the office its overdue
 * steps go to, or the office whose own step it is — in the role the step asks for.
 */
describe('the office that may hand a step over', () => {
  const registry = new WorkflowRegistry();
  // Overdue steps of these cases go to the city office.
  registry.registerEscalation(async () => ({ unitIds: ['city-office'] }));
  const holders = new TaskHolders(registry, {} as never, {} as never, {} as never);
  const manager = {
    query: async () => [
      {
        row: { id: 'case', processId: 'admission', businessKey: null, ownerUnitId: 'dept', startedBy: null },
        variables: {},
      },
    ],
  } as unknown as EntityManager;
  const office = (unitId: string): Principal =>
    ({
      userId: `${unitId}-clerk`,
      unitId,
      roles: [Role.OFFICE],
      permissions: new Set([Permission.WORKFLOW_OVERSEE]),
    }) as unknown as Principal;
  const task = (candidateUnitIds: string[], candidateRoles: string[]) =>
    ({
      instanceId: 'case',
      elementId: 'step',
      loopItem: null,
      candidateGroups: null,
      candidateUnitIds,
      candidateRoles,
    }) as unknown as WorkflowTask;

  it('given an office’s own step (its unit, in the office role), then it may; the office the step escalates to may too', async () => {
    expect(
      await holders.isLevelOffice(
        manager,
        office('district-office'),
        task(['district-office'], [Role.OFFICE]),
      ),
    ).toBe(true);
    expect(
      await holders.isLevelOffice(manager, office('city-office'), task(['district-office'], [Role.OFFICE])),
    ).toBe(true);
  });

  it('given a district office’s countersign as a member unit of the city’s group (the member role), then its office staff may not hand it over; the city office may', async () => {
    const countersign = task(['district-office'], [Role.MEMBER]);
    expect(await holders.isLevelOffice(manager, office('district-office'), countersign)).toBe(false);
    expect(await holders.isLevelOffice(manager, office('city-office'), countersign)).toBe(true);
  });
});
