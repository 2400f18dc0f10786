import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OpenSignerIndex1796102269013 implements MigrationInterface {
  name = 'OpenSignerIndex1796102269013';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_task_open_parent" ON "workflow_task"  ("parent_task_id") WHERE "status" = 'open' AND "parent_task_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_task_open_parent"`);
  }
}
