import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §5: the burden monitor's counts read per community over a period of sent days; this index answers
 * them from the index alone (the counted columns are included), cheap at a million pieces.
 */
export class DispatchCountsIndex1797200600000 implements MigrationInterface {
  name = 'DispatchCountsIndex1797200600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_dispatch_delivery_counts" ON "dispatch_delivery" ("community_id", "sent_at")
         INCLUDE ("department_id", "covered", "reason_code", "state", "refused_at", "dispute_state", "hours_spent")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_dispatch_delivery_counts"`);
  }
}
