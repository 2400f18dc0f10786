import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 派单提前期 (issue 14 §2): an application names the working days work under its item must be sent ahead of its
 * due date (1–30; none: the default of 3), and registration copies it to the admitted item.
 */
export class NoticeWorkingDays1797300200000 implements MigrationInterface {
  name = 'NoticeWorkingDays1797300200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admission_application" ADD "notice_working_days" smallint`);
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD CONSTRAINT "ck_admission_application_notice" CHECK ("notice_working_days" IS NULL OR "notice_working_days" BETWEEN 1 AND 30)`,
    );
    await queryRunner.query(`ALTER TABLE "admitted_item" ADD "notice_working_days" smallint`);
    await queryRunner.query(
      `ALTER TABLE "admitted_item" ADD CONSTRAINT "ck_admitted_item_notice" CHECK ("notice_working_days" IS NULL OR "notice_working_days" BETWEEN 1 AND 30)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admitted_item" DROP CONSTRAINT "ck_admitted_item_notice"`);
    await queryRunner.query(`ALTER TABLE "admitted_item" DROP COLUMN "notice_working_days"`);
    await queryRunner.query(
      `ALTER TABLE "admission_application" DROP CONSTRAINT "ck_admission_application_notice"`,
    );
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "notice_working_days"`);
  }
}
