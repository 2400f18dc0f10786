import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RefusalDisputes1797200100000 implements MigrationInterface {
  name = 'RefusalDisputes1797200100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_state" character varying(12)`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_instance_id" uuid`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_argument" text`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_basis" text`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "disputed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "dispatch_delivery" ADD "dispute_ruled_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_ruled_by" character varying(8)`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" ADD "dispute_ruling" text`);
    await queryRunner.query(
      `ALTER TABLE "dispatch_delivery" ADD CONSTRAINT "ck_dispatch_delivery_dispute" CHECK ("dispute_state" IS NULL OR "dispute_state" IN ('street', 'office', 'upheld', 'overturned'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP CONSTRAINT "ck_dispatch_delivery_dispute"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_ruling"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_ruled_by"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_ruled_at"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "disputed_at"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_basis"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_argument"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_instance_id"`);
    await queryRunner.query(`ALTER TABLE "dispatch_delivery" DROP COLUMN "dispute_state"`);
  }
}
