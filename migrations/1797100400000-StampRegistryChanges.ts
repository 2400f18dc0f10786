import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change to the stamp registry is announced on the channel stamp_registry_changed (NOTIFY is
 * delivered at commit, never for a rolled-back transaction), so that server processes keeping the registry in
 * memory forget it: a new list or entry version from any write path (the shipped lists, the seed, proposals,
 * imports, a hand-written INSERT). The answers also name communities and divisions, so changes to org_unit are
 * announced on the same channel. Statement-level triggers: one announcement per statement, whatever its rows.
 * Hand-written.
 */
export class StampRegistryChanges1797100400000 implements MigrationInterface {
  name = 'StampRegistryChanges1797100400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION stamp_registry_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stamp_registry_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$`);
    for (const table of ['stamp_list', 'stamp_entry'])
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_announce_change AFTER INSERT ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION stamp_registry_announce_change()`,
      );
    await queryRunner.query(
      `CREATE TRIGGER tg_org_unit_announce_stamp_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "org_unit" FOR EACH STATEMENT EXECUTE FUNCTION stamp_registry_announce_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_org_unit_announce_stamp_change ON "org_unit"`);
    for (const table of ['stamp_list', 'stamp_entry'])
      await queryRunner.query(`DROP TRIGGER tg_${table}_announce_change ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION stamp_registry_announce_change()`);
  }
}
