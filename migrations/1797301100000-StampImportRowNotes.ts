import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import row keeps what it would meet in the registry (`notes`: a prohibition in force at its scope or wider
 * that wins over the allowance it imports). Rows of imports run before this keep `[]`. Hand-written.
 */
export class StampImportRowNotes1797301100000 implements MigrationInterface {
  name = 'StampImportRowNotes1797301100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "stamp_import_row" ADD "notes" jsonb NOT NULL DEFAULT '[]'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "stamp_import_row" DROP COLUMN "notes"`);
  }
}
