import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The stamp registry (盖章证明事项清单): versioned lists and their entries. Both tables are append-only (a change
 * is a new version with its own dates), which a trigger enforces: UPDATE, DELETE and TRUNCATE are refused.
 */
export class StampRegistry1797100000000 implements MigrationInterface {
  name = 'StampRegistry1797100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stamp_list" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "list_key" uuid NOT NULL, "version" integer NOT NULL, "title" character varying(300) NOT NULL, "document_number" character varying(100) NOT NULL, "issued_by" character varying(300) NOT NULL, "issued_on" character varying(10) NOT NULL, "link" character varying(500), "list_type" character varying(12) NOT NULL, "scope_code" character varying(6) NOT NULL DEFAULT '', "effective_from" date NOT NULL, "effective_to" date, "recorded_from" character varying(300), "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_stamp_list_version" CHECK ("version" >= 1), CONSTRAINT "ck_stamp_list_dates" CHECK ("effective_to" IS NULL OR "effective_to" >= "effective_from"), CONSTRAINT "ck_stamp_list_issued" CHECK ("issued_on" ~ '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$'), CONSTRAINT "ck_stamp_list_scope" CHECK ("scope_code" ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6})?$'), CONSTRAINT "ck_stamp_list_type" CHECK ("list_type" IN ('allowed', 'prohibited')), CONSTRAINT "PK_83d149f13e974189653ab6659d6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_stamp_list_document" ON "stamp_list"  ("document_number") `);
    await queryRunner.query(`CREATE INDEX "ix_stamp_list_scope" ON "stamp_list"  ("scope_code") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stamp_list_key_version" ON "stamp_list"  ("list_key", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stamp_entry" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entry_key" uuid NOT NULL, "version" integer NOT NULL, "list_key" uuid NOT NULL, "seq" integer, "name" character varying(100) NOT NULL, "aliases" text array NOT NULL DEFAULT '{}', "legal_basis" text NOT NULL, "purpose" text, "conditions" text, "procedure" text, "sample_form_attachment_id" uuid, "time_limit_kind" character varying(16), "time_limit_working_days" integer, "effective_from" date NOT NULL, "effective_to" date, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_stamp_entry_name" CHECK (length("name") BETWEEN 1 AND 100), CONSTRAINT "ck_stamp_entry_time_limit" CHECK (("time_limit_kind" IS NULL AND "time_limit_working_days" IS NULL) OR ("time_limit_kind" = 'on-the-spot' AND "time_limit_working_days" IS NULL) OR ("time_limit_kind" = 'working-days' AND "time_limit_working_days" BETWEEN 1 AND 60)), CONSTRAINT "ck_stamp_entry_version" CHECK ("version" >= 1), CONSTRAINT "ck_stamp_entry_dates" CHECK ("effective_to" IS NULL OR "effective_to" >= "effective_from"), CONSTRAINT "PK_df9a00d9205f0636dd55e3c64f2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_stamp_entry_list" ON "stamp_entry"  ("list_key") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stamp_entry_key_version" ON "stamp_entry"  ("entry_key", "version") `,
    );
    await queryRunner.query(
      `CREATE FUNCTION stamp_registry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the stamp registry is append-only: record a new version instead of changing %', TG_TABLE_NAME
           USING ERRCODE = 'restrict_violation';
       END $$`,
    );
    for (const table of ['stamp_list', 'stamp_entry']) {
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_no_update BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION stamp_registry_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION stamp_registry_refuse_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['stamp_list', 'stamp_entry']) {
      await queryRunner.query(`DROP TRIGGER tg_${table}_no_truncate ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER tg_${table}_no_update ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION stamp_registry_refuse_change()`);
    await queryRunner.query(`DROP INDEX "public"."ux_stamp_entry_key_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_entry_list"`);
    await queryRunner.query(`DROP TABLE "stamp_entry"`);
    await queryRunner.query(`DROP INDEX "public"."ux_stamp_list_key_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_list_scope"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_list_document"`);
    await queryRunner.query(`DROP TABLE "stamp_list"`);
  }
}
