import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginThrottle1796149333258 implements MigrationInterface {
  name = 'LoginThrottle1796149333258';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "login_throttle" ("address" character varying(100) NOT NULL, "attempts" integer NOT NULL, "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_login_throttle" PRIMARY KEY ("address"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_login_throttle_window" ON "login_throttle"  ("window_started_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_login_throttle_window"`);
    await queryRunner.query(`DROP TABLE "login_throttle"`);
  }
}
