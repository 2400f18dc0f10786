import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A department withdraws (撤回) its own application until a decision: when, and the department's reason (kept
 * apart from `decision_reason`, which keeps the reviewers' last comment, e.g. the return's).
 */
export class ApplicationWithdrawal1797000500000 implements MigrationInterface {
  name = 'ApplicationWithdrawal1797000500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "admission_application" ADD "withdrawn_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`ALTER TABLE "admission_application" ADD "withdrawal_reason" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "withdrawal_reason"`);
    await queryRunner.query(`ALTER TABLE "admission_application" DROP COLUMN "withdrawn_at"`);
  }
}
