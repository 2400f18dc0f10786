import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change to org_unit is announced on the channel org_unit_changed (NOTIFY, delivered at
 * commit), so that server processes that keep lookups of the organization tree in memory forget them.
 * Hand-written.
 */
export class OrgUnitChanges1796104100000 implements MigrationInterface {
  name = 'OrgUnitChanges1796104100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION org_unit_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('org_unit_changed', '');
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER tg_org_unit_announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "org_unit" FOR EACH STATEMENT EXECUTE FUNCTION org_unit_announce_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_org_unit_announce_change ON "org_unit"`);
    await queryRunner.query(`DROP FUNCTION org_unit_announce_change()`);
  }
}
