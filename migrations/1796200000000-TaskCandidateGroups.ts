import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The candidate groups (camunda:candidateGroups) of each user task of a BPMN document, by element id. */
function candidateGroupsOf(xml: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const tag of xml.match(/<(?:[\w-]+:)?userTask\b[^>]*>/g) ?? []) {
    const id = /\sid="([^"]*)"/.exec(tag)?.[1];
    const groups = /\s(?:[\w-]+:)?candidateGroups="([^"]*)"/.exec(tag)?.[1];
    if (id && groups) found.set(id, groups);
  }
  return found;
}

/**
 * A task keeps the candidate groups it was made for, so that who may hold it follows the organization. Tasks
 * open when this runs get theirs from their case's definition, and open added signers (加签) the candidates
 * of their step. Cases are found by owner unit when the organization changes (index); and changes of
 * accounts that candidate groups depend on (active, unit, roles) are announced like unit changes, so that
 * processes forget the principal leaders they keep. Hand-written.
 */
export class TaskCandidateGroups1796200000000 implements MigrationInterface {
  name = 'TaskCandidateGroups1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_task" ADD "candidate_groups" character varying(200)`);
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_instance_owner_unit" ON "workflow_instance" ("owner_unit_id") `,
    );
    const open: { definition_id: string; xml: string }[] = await queryRunner.query(
      `SELECT d.id AS definition_id, d.xml FROM workflow_definition d
        WHERE EXISTS (SELECT 1 FROM workflow_instance i JOIN workflow_task t ON t.instance_id = i.id
                       WHERE i.definition_id = d.id AND t.status = 'open' AND t.kind = 'step')`,
    );
    for (const d of open) {
      for (const [elementId, groups] of candidateGroupsOf(d.xml)) {
        await queryRunner.query(
          `UPDATE workflow_task t SET candidate_groups = $3 FROM workflow_instance i
            WHERE i.id = t.instance_id AND i.definition_id = $1 AND t.element_id = $2 AND t.status = 'open' AND t.kind = 'step'`,
          [d.definition_id, elementId, groups.slice(0, 200)],
        );
      }
    }
    await queryRunner.query(
      `UPDATE workflow_task s SET candidate_unit_ids = p.candidate_unit_ids, candidate_roles = p.candidate_roles,
              candidate_user_ids = p.candidate_user_ids
         FROM workflow_task p
        WHERE p.id = s.parent_task_id AND s.kind = 'added-signer' AND s.status = 'open'`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_app_user_announce_change AFTER UPDATE OF active, unit_id, roles ON "app_user" FOR EACH STATEMENT EXECUTE FUNCTION org_unit_announce_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_app_user_announce_change ON "app_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_instance_owner_unit"`);
    await queryRunner.query(`ALTER TABLE "workflow_task" DROP COLUMN "candidate_groups"`);
  }
}
