import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Dispatch1797200000000 implements MigrationInterface {
  name = 'Dispatch1797200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dispatch" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "sent_by" uuid NOT NULL, "kind" character varying(20) NOT NULL, "title" character varying(200) NOT NULL, "content" text NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', "report_fields" text array NOT NULL DEFAULT '{}', "due_date" date NOT NULL, "expected_hours" numeric(7,1) NOT NULL, "admitted_item_id" uuid, "target_unit_ids" uuid array NOT NULL, "idempotency_key" character varying(100), "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_dispatch_kind" CHECK ("kind" IN ('task', 'meeting', 'report', 'survey', 'inspection', 'stamp', 'app-registration', 'plaque')), CONSTRAINT "PK_f2c29333b8ffa14a1414142fc55" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_dispatch_idempotency" ON "dispatch"  ("department_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_dispatch_department_sent" ON "dispatch"  ("department_id", "sent_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "dispatch_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dispatch_id" uuid NOT NULL, "community_id" uuid NOT NULL, "department_id" uuid NOT NULL, "due_date" date NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "covered" boolean NOT NULL, "reason_code" character varying(32) NOT NULL, "reasons" jsonb NOT NULL, "state" character varying(12) NOT NULL DEFAULT 'received', "accepted_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "hours_spent" numeric(7,1), "refused_at" TIMESTAMP WITH TIME ZONE, "refused_by" uuid, "refusal_reason_code" character varying(32), "refusal_note" text, "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdraw_note" text, CONSTRAINT "ck_dispatch_delivery_hours" CHECK ("hours_spent" IS NULL OR "hours_spent" >= 0), CONSTRAINT "ck_dispatch_delivery_state" CHECK ("state" IN ('received', 'accepted', 'done', 'refused', 'withdrawn')), CONSTRAINT "PK_ef20d415c2294e757059313fa02" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_dispatch_delivery_department" ON "dispatch_delivery"  ("department_id", "sent_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_dispatch_delivery_inbox" ON "dispatch_delivery"  ("community_id", "state", "due_date") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_dispatch_delivery" ON "dispatch_delivery"  ("dispatch_id", "community_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ux_dispatch_delivery"`);
    await queryRunner.query(`DROP INDEX "public"."ix_dispatch_delivery_inbox"`);
    await queryRunner.query(`DROP INDEX "public"."ix_dispatch_delivery_department"`);
    await queryRunner.query(`DROP TABLE "dispatch_delivery"`);
    await queryRunner.query(`DROP INDEX "public"."ix_dispatch_department_sent"`);
    await queryRunner.query(`DROP INDEX "public"."ux_dispatch_idempotency"`);
    await queryRunner.query(`DROP TABLE "dispatch"`);
  }
}
