import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A task keeps the candidate groups it was made for, so its candidates can follow the organization. */
export class TaskCandidateGroups1796200000000 implements MigrationInterface {
  name = 'TaskCandidateGroups1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_task" ADD "candidate_groups" character varying(200)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_task" DROP COLUMN "candidate_groups"`);
  }
}
