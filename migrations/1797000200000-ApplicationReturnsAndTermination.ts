import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An application keeps the deficiencies of its last return (every one at once, 一次告知), the step that
 * returned it and when; and a case the office terminates (终止) ends its application: status `terminated`,
 * with when.
 */
export class ApplicationReturnsAndTermination1797000200000 implements MigrationInterface {
  name = 'ApplicationReturnsAndTermination1797000200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD "deficiencies" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(`ALTER TABLE "admission_application" ADD "returned_step" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "admission_application" ADD "returned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD "terminated_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "admission_application" DROP CONSTRAINT "ck_admission_application_status"`,
    );
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD CONSTRAINT "ck_admission_application_status" CHECK ("status" IN ('draft', 'in_review', 'returned', 'rejected', 'awaiting_funding', 'admitted', 'withdrawn', 'terminated'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "admission_application" DROP CONSTRAINT "ck_admission_application_status"`,
    );
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD CONSTRAINT "ck_admission_application_status" CHECK ("status" IN ('draft', 'in_review', 'returned', 'rejected', 'awaiting_funding', 'admitted', 'withdrawn'))`,
    );
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "terminated_at"`);
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "returned_at"`);
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "returned_step"`);
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "deficiencies"`);
  }
}
