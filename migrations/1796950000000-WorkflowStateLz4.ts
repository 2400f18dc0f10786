import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A case's engine state (and the copy kept for 撤回) is written at every step: about 15 KB of JSON, stored
 * compressed. LZ4 compresses it in about two thirds of the CPU time of PostgreSQL's own pglz, for every step.
 * Only where the server was built with LZ4 (the embedded default's is not: there the columns stay as they are);
 * rows written before keep their compression until their next step rewrites them.
 */
export class WorkflowStateLz41796950000000 implements MigrationInterface {
  name = 'WorkflowStateLz41796950000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const rows: { lz4: boolean }[] = await queryRunner.query(
      `SELECT coalesce('lz4' = ANY(enumvals), false) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    if (!rows[0]?.lz4) return;
    await queryRunner.query(`ALTER TABLE "workflow_instance" ALTER COLUMN "state" SET COMPRESSION lz4`);
    await queryRunner.query(`ALTER TABLE "workflow_undo" ALTER COLUMN "state" SET COMPRESSION lz4`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_instance" ALTER COLUMN "state" SET COMPRESSION DEFAULT`);
    await queryRunner.query(`ALTER TABLE "workflow_undo" ALTER COLUMN "state" SET COMPRESSION DEFAULT`);
  }
}
