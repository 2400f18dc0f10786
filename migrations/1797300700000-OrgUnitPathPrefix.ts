import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The units of an area (a unit's path starts with the area's: OrgScope's sqlInArea) are read through an index of
 * the paths in byte order: `starts_with(path, $1)` read every unit (10,000 communities: 6–8 ms for each area asked,
 * in the burden monitor's counts, a dispatch to a district, every list of an area). The default-collation index
 * `ix_org_unit_path` stays for equality. Hand-written (an expression with a collation: not an entity index).
 */
export class OrgUnitPathPrefix1797300700000 implements MigrationInterface {
  name = 'OrgUnitPathPrefix1797300700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_org_unit_path_prefix" ON "org_unit" ("path" COLLATE "C")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_org_unit_path_prefix"`);
  }
}
