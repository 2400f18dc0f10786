import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plain step (a task completed, the flow moving on to user tasks) is written by one statement, without
 * BEGIN and COMMIT. The statement ends in workflow_step_guard(ok): when the case, the task or the case's
 * open tasks are not as the step read them, it raises (SQLSTATE WF409) and the whole statement, every row it
 * wrote included, is undone; the service then runs the step again in a transaction. Hand-written.
 */
export class WorkflowStepGuard1796102900000 implements MigrationInterface {
  name = 'WorkflowStepGuard1796102900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION workflow_step_guard(ok boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'the case or its tasks changed since the step read them' USING ERRCODE = 'WF409';
  END IF;
  RETURN true;
END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION workflow_step_guard(boolean)`);
  }
}
