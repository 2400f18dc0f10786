import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each Asia/Shanghai day's chain head is sealed with an HMAC keyed outside the database (AUDIT_SEAL_KEY), one
 * row a day; GET /audit/verify checks the seals. Generated.
 */
export class AuditSeals1796148826328 implements MigrationInterface {
  name = 'AuditSeals1796148826328';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_seal" ("day" date NOT NULL, "up_to_seq" bigint NOT NULL, "hash" character(64) NOT NULL, "key_id" character(16) NOT NULL, "sealed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "mac" character(64) NOT NULL, CONSTRAINT "PK_da89e2892843bcd88aeba0408f0" PRIMARY KEY ("day"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_seal"`);
  }
}
