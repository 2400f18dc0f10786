import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TimerIncidents1796149055757 implements MigrationInterface {
  name = 'TimerIncidents1796149055757';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_incident" ADD "timer_id" uuid`);
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_incident_open_timer" ON "workflow_incident"  ("timer_id") WHERE "resolved_at" IS NULL AND "timer_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_incident_open_timer"`);
    await queryRunner.query(`ALTER TABLE "workflow_incident" DROP COLUMN "timer_id"`);
  }
}
