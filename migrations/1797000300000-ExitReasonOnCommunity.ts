import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An approved exit's reason on each register entry it ends (admitted_item_community.exit_reason): a single
 * community's exit says why on that community's row, not only on its proposal. Entries exited before this
 * get the reason of the exit proposal that ended them, when there was one.
 */
export class ExitReasonOnCommunity1797000300000 implements MigrationInterface {
  name = 'ExitReasonOnCommunity1797000300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admitted_item_community" ADD "exit_reason" text`);
    await queryRunner.query(
      `UPDATE admitted_item_community c SET exit_reason = p.reason
         FROM exit_proposal p
        WHERE p.item_id = c.item_id AND p.status = 'exited' AND c.exited_at IS NOT NULL
          AND (p.community_id = c.community_id OR p.community_id IS NULL)
          AND p.decided_at = c.exited_at`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admitted_item_community" DROP COLUMN "exit_reason"`);
  }
}
