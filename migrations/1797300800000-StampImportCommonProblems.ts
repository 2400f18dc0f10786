import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stamp-list import keeps the problems several of its rejected rows share, told once (`common_problems`), and the
 * names of the scopes it names (`scopes`: 示范市 rather than 3399). Imports run before this keep `[]`: their report
 * tells each row's problems as before, and scopes by code. Hand-written.
 */
export class StampImportCommonProblems1797300800000 implements MigrationInterface {
  name = 'StampImportCommonProblems1797300800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "stamp_import" ADD "common_problems" jsonb NOT NULL DEFAULT '[]', ADD "scopes" jsonb NOT NULL DEFAULT '[]'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "stamp_import" DROP COLUMN "scopes", DROP COLUMN "common_problems"`);
  }
}
