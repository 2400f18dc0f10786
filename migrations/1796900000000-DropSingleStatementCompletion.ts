import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops what only the removed single-statement task completion used: the guard function its statement
 * ended in, and the triggers that announced organization changes to its cache of candidates. They were
 * kept for one version so that processes of the version before could run beside the new ones during a
 * rolling upgrade; no version since uses them.
 */
export class DropSingleStatementCompletion1796900000000 implements MigrationInterface {
  name = 'DropSingleStatementCompletion1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS tg_app_user_announce_change ON "app_user"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS tg_org_unit_announce_change ON "org_unit"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS org_unit_announce_change()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS workflow_step_guard(boolean)`);
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
