import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PasswordSetBy1796149007993 implements MigrationInterface {
  name = 'PasswordSetBy1796149007993';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" ADD "password_set_by" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "password_set_by"`);
  }
}
