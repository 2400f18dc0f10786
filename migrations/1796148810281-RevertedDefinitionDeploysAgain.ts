import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RevertedDefinitionDeploysAgain1796148810281 implements MigrationInterface {
  name = 'RevertedDefinitionDeploysAgain1796148810281';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ux_workflow_definition_hash"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_workflow_definition_hash" ON "workflow_definition" USING btree ("process_id", "content_hash") `,
    );
  }
}
