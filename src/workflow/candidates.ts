import type { WorkflowTask } from './workflow-task.entity.js';

/** Who may hold a task: its candidate lists (users of these units with one of these roles, or these users). */
export type CandidateLists = Pick<WorkflowTask, 'candidateUnitIds' | 'candidateRoles' | 'candidateUserIds'>;

/** A person as the organization knows them now. */
export interface Person {
  id: string;
  unitId: string;
  roles: string[];
  active: boolean;
}

/** Whether a person is one of a task's candidates (a user named, or of a unit named with a role named). */
export function isCandidate(person: Pick<Person, 'id' | 'unitId' | 'roles'>, t: CandidateLists): boolean {
  return (
    t.candidateUserIds.includes(person.id) ||
    (t.candidateUnitIds.includes(person.unitId) &&
      (t.candidateRoles.length === 0 || t.candidateRoles.some((r) => person.roles.includes(r))))
  );
}

/** Whether a person, as they are now, may hold a task: active and one of its candidates. */
export function mayHold(person: Person | undefined, t: CandidateLists): boolean {
  return !!person && person.active && isCandidate(person, t);
}
