import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stamp-list imports (issue 13 §5): each dry run with its counts and lists, and its rows with what each would do
 * (added, changed, unchanged, rejected and why); the proposal its good rows became.
 */
export class StampImports1797100200000 implements MigrationInterface {
  name = 'StampImports1797100200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stamp_import" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "unit_id" uuid NOT NULL, "created_by" uuid NOT NULL, "file_name" character varying(200) NOT NULL, "format" character varying(4) NOT NULL, "encoding" character varying(10), "size_bytes" integer NOT NULL, "sha256" character(64) NOT NULL, "ignored_columns" text array NOT NULL DEFAULT '{}', "counts" jsonb NOT NULL, "lists" jsonb NOT NULL, "compared_on" date NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "proposal_id" uuid, "proposal_instance_id" uuid, "proposed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_stamp_import_format" CHECK ("format" IN ('csv', 'xlsx')), CONSTRAINT "PK_bb283292263d976f0afd0653e68" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stamp_import_unit" ON "stamp_import"  ("unit_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stamp_import_row" ("import_id" uuid NOT NULL, "line" integer NOT NULL, "outcome" character varying(10) NOT NULL, "name" text, "list" jsonb, "entry_key" uuid, "effective_from" date, "changes" jsonb NOT NULL DEFAULT '[]', "problems" jsonb NOT NULL DEFAULT '[]', "values" jsonb NOT NULL, CONSTRAINT "ck_stamp_import_row_outcome" CHECK ("outcome" IN ('added', 'changed', 'unchanged', 'rejected')), CONSTRAINT "PK_08aa155f837ff601b49fad97663" PRIMARY KEY ("import_id", "line"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stamp_import_row_outcome" ON "stamp_import_row"  ("import_id", "outcome", "line") `,
    );
    await queryRunner.query(
      `ALTER TABLE "stamp_import_row" ADD CONSTRAINT "fk_stamp_import_row_import" FOREIGN KEY ("import_id") REFERENCES "stamp_import"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "stamp_import_row" DROP CONSTRAINT "fk_stamp_import_row_import"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_import_row_outcome"`);
    await queryRunner.query(`DROP TABLE "stamp_import_row"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_import_unit"`);
    await queryRunner.query(`DROP TABLE "stamp_import"`);
  }
}
