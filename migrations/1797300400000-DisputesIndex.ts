import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 14 §6: the dispute pages list the contested pieces newest first; only contested pieces are indexed. */
export class DisputesIndex1797300400000 implements MigrationInterface {
  name = 'DisputesIndex1797300400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_dispatch_delivery_disputes" ON "dispatch_delivery" ("disputed_at", "id") WHERE "dispute_instance_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_dispatch_delivery_disputes"`);
  }
}
