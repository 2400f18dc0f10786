import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The committee's stamp log (用印登记, issue 13 §6): entries and their voids are append-only (a trigger refuses
 * UPDATE, DELETE and TRUNCATE, as for the registry); the roster of members who may stamp (用印人员) ends a row on
 * removal.
 */
export class StampLog1797100300000 implements MigrationInterface {
  name = 'StampLog1797100300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stamp_log_entry" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "community_id" uuid NOT NULL, "stamped_at" TIMESTAMP WITH TIME ZONE NOT NULL, "stamped_on" date NOT NULL, "certificate_name" character varying(100) NOT NULL, "decision" character varying(12) NOT NULL, "deciding_entry_id" uuid, "deciding_entry_key" uuid, "listed_name" character varying(100), "source_list_id" uuid, "source_document" character varying(500), "legal_basis" text NOT NULL, "legal_basis_entered" boolean NOT NULL, "purpose" character varying(200) NOT NULL, "copies" integer NOT NULL, "requester_name" character varying(50) NOT NULL, "requester_phone" character varying(20) NOT NULL, "handler_id" uuid NOT NULL, "approver_id" uuid NOT NULL, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "corrects_id" uuid, CONSTRAINT "ck_stamp_log_entry_basis" CHECK (("decision" = 'allowed' AND "deciding_entry_id" IS NOT NULL) OR ("decision" = 'not-listed' AND "legal_basis_entered")), CONSTRAINT "ck_stamp_log_entry_two_people" CHECK ("handler_id" <> "approver_id"), CONSTRAINT "ck_stamp_log_entry_copies" CHECK ("copies" BETWEEN 1 AND 99), CONSTRAINT "ck_stamp_log_entry_decision" CHECK ("decision" IN ('allowed', 'not-listed')), CONSTRAINT "PK_aed347d1b0296a2c8e6013d2f25" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stamp_log_entry_corrects" ON "stamp_log_entry"  ("corrects_id") WHERE "corrects_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stamp_log_entry_community_day" ON "stamp_log_entry"  ("community_id", "stamped_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stamp_log_void" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entry_id" uuid NOT NULL, "reason" character varying(500) NOT NULL, "voided_by" uuid NOT NULL, "voided_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_274e172cf87b2178e71b6c3a318" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stamp_log_void_entry" ON "stamp_log_void"  ("entry_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "stamp_log_member" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "community_id" uuid NOT NULL, "user_id" uuid NOT NULL, "added_by" uuid NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL, "removed_by" uuid, "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c69ed6339cec7468b4ac2705c03" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stamp_log_member_current" ON "stamp_log_member"  ("community_id", "user_id") WHERE "removed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE FUNCTION stamp_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the stamp log is append-only: void an entry and record a new one instead of changing %', TG_TABLE_NAME
           USING ERRCODE = 'restrict_violation';
       END $$`,
    );
    for (const table of ['stamp_log_entry', 'stamp_log_void']) {
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_no_update BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION stamp_log_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION stamp_log_refuse_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['stamp_log_entry', 'stamp_log_void']) {
      await queryRunner.query(`DROP TRIGGER tg_${table}_no_truncate ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER tg_${table}_no_update ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION stamp_log_refuse_change()`);
    await queryRunner.query(`DROP INDEX "public"."ux_stamp_log_member_current"`);
    await queryRunner.query(`DROP TABLE "stamp_log_member"`);
    await queryRunner.query(`DROP INDEX "public"."ux_stamp_log_void_entry"`);
    await queryRunner.query(`DROP TABLE "stamp_log_void"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stamp_log_entry_community_day"`);
    await queryRunner.query(`DROP INDEX "public"."ux_stamp_log_entry_corrects"`);
    await queryRunner.query(`DROP TABLE "stamp_log_entry"`);
  }
}
