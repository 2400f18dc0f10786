import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain's head as one row (see AuditHead): appending a record becomes one statement instead of an
 * advisory lock, a read of the newest record and an insert. The head starts at the newest existing record.
 */
export class AuditHead1795491448709 implements MigrationInterface {
  name = 'AuditHead1795491448709';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_head" ("id" smallint NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "ck_audit_head_single" CHECK ("id" = 1), CONSTRAINT "PK_d3ed64edb3e208e83ccb5da589a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "audit_head" ("id", "prev_hash", "hash")
       SELECT 1, coalesce((SELECT "prev_hash" FROM "audit_record" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
                 coalesce((SELECT "hash" FROM "audit_record" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_head"`);
  }
}
