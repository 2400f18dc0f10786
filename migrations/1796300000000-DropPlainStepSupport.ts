import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The single-statement task completion is gone (every step is written in a transaction), and with it what
 * only it needed: its guard (WorkflowStepGuard) and the announcements of org_unit and app_user changes (OrgUnitChanges, TaskCandidateGroups)
 * that let processes keep level lookups in memory for it. Hand-written; `down` restores both as they were.
 */
export class DropPlainStepSupport1796300000000 implements MigrationInterface {
  name = 'DropPlainStepSupport1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_app_user_announce_change ON "app_user"`);
    await queryRunner.query(`DROP TRIGGER tg_org_unit_announce_change ON "org_unit"`);
    await queryRunner.query(`DROP FUNCTION org_unit_announce_change()`);
    await queryRunner.query(`DROP FUNCTION workflow_step_guard(boolean)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION workflow_step_guard(ok boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'the case or its tasks changed since the step read them' USING ERRCODE = 'WF409';
  END IF;
  RETURN true;
END $$`);
    await queryRunner.query(`CREATE FUNCTION org_unit_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('org_unit_changed', '');
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER tg_org_unit_announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "org_unit" FOR EACH STATEMENT EXECUTE FUNCTION org_unit_announce_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_app_user_announce_change AFTER UPDATE OF active, unit_id, roles ON "app_user" FOR EACH STATEMENT EXECUTE FUNCTION org_unit_announce_change()`,
    );
  }
}
