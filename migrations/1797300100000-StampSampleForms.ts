import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 §1: the sample form (证明式样) of a stamp-list entry, an uploaded file (PDF, PNG or JPEG) kept with its
 * SHA-256; `stamp_entry.sample_form_attachment_id` names it.
 */
export class StampSampleForms1797300100000 implements MigrationInterface {
  name = 'StampSampleForms1797300100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stamp_sample_form" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "file_name" character varying(200) NOT NULL, "content_type" character varying(100) NOT NULL, "size_bytes" integer NOT NULL, "sha256" character(64) NOT NULL, "content" bytea NOT NULL, "uploaded_by" uuid NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "uploaded_by_unit" uuid NOT NULL, CONSTRAINT "PK_fa2883b44bc220d8db4a4304a75" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stamp_sample_form_unit" ON "stamp_sample_form" ("uploaded_by_unit") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_sample_form_unit"`);
    await queryRunner.query(`DROP TABLE "stamp_sample_form"`);
  }
}
