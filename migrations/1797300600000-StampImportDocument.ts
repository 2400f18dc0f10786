import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stamp-list import keeps what was said once beside its file (the list's type, scope, document, issuing body and
 * date, `document` of POST /stamp-imports: only the values given) and the line its header was found on (a list as
 * published has a title above its table). Imports run before this keep `{}` and line 1, which is what they had.
 * Hand-written.
 */
export class StampImportDocument1797300600000 implements MigrationInterface {
  name = 'StampImportDocument1797300600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "stamp_import" ADD "document" jsonb NOT NULL DEFAULT '{}', ADD "header_line" integer NOT NULL DEFAULT 1`,
    );
    await queryRunner.query(
      `ALTER TABLE "stamp_import" ADD CONSTRAINT "ck_stamp_import_document" CHECK (jsonb_typeof("document") = 'object'), ADD CONSTRAINT "ck_stamp_import_header_line" CHECK ("header_line" >= 1)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "stamp_import" DROP CONSTRAINT "ck_stamp_import_header_line", DROP CONSTRAINT "ck_stamp_import_document", DROP COLUMN "header_line", DROP COLUMN "document"`,
    );
  }
}
