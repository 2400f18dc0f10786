import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Emergency items keep 费随事转 (seed 002 §11): an item records its funding source, and a community of an
 * emergency item whose funding was not confirmed within the window is `overdue` (still in force, still owed)
 * rather than lapsed.
 */
export class EmergencyFunding1797000400000 implements MigrationInterface {
  name = 'EmergencyFunding1797000400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admitted_item" ADD "funding_source" character varying(200)`);
    await queryRunner.query(
      `UPDATE "admitted_item" i SET "funding_source" = a."funding_source" FROM "admission_application" a WHERE a."id" = i."application_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "admitted_item_community" DROP CONSTRAINT "ck_admitted_item_community_funding"`,
    );
    await queryRunner.query(
      `ALTER TABLE "admitted_item_community" ADD CONSTRAINT "ck_admitted_item_community_funding" CHECK ("funding_status" IN ('not_required', 'awaiting', 'confirmed', 'lapsed', 'overdue'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "admitted_item_community" SET "funding_status" = 'awaiting' WHERE "funding_status" = 'overdue'`,
    );
    await queryRunner.query(
      `ALTER TABLE "admitted_item_community" DROP CONSTRAINT "ck_admitted_item_community_funding"`,
    );
    await queryRunner.query(
      `ALTER TABLE "admitted_item_community" ADD CONSTRAINT "ck_admitted_item_community_funding" CHECK ("funding_status" IN ('not_required', 'awaiting', 'confirmed', 'lapsed'))`,
    );
    await queryRunner.query(`ALTER TABLE "admitted_item" DROP COLUMN "funding_source"`);
  }
}
