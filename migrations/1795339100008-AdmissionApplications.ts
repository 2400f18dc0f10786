import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AdmissionApplications1795339100008 implements MigrationInterface {
  name = 'AdmissionApplications1795339100008';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "admission_application" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "applicant_unit_id" uuid NOT NULL, "created_by" uuid NOT NULL, "status" character varying(20) NOT NULL, "instance_id" uuid, "kind" character varying(20), "title" character varying(200), "content" text, "legal_basis_document" character varying(200), "legal_basis_article" character varying(200), "statutory_area" character varying(48), "target_scope" character varying(8), "target_unit_id" uuid, "target_community_ids" uuid array NOT NULL DEFAULT '{}', "authorized_content" text, "target_population" text, "powers" text, "start_date" date, "end_date" date, "workload_hours_per_month" numeric(7,1), "frequency" character varying(100), "funding_per_community_fen" bigint, "funding_source" character varying(200), "support_offered" text, "contact_name" character varying(50), "contact_phone" character varying(50), "report_fields" text array NOT NULL DEFAULT '{}', "regularizes_item_id" uuid, "findings" jsonb NOT NULL DEFAULT '[]', "changes_since_submission" jsonb, "submitted_snapshot" jsonb, "decision_reason" text, "submitted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_admission_application_dates" CHECK ("start_date" IS NULL OR "end_date" IS NULL OR "end_date" >= "start_date"), CONSTRAINT "ck_admission_application_funding" CHECK ("funding_per_community_fen" IS NULL OR "funding_per_community_fen" >= 0), CONSTRAINT "ck_admission_application_status" CHECK ("status" IN ('draft', 'in_review', 'returned', 'rejected', 'awaiting_funding', 'admitted', 'withdrawn')), CONSTRAINT "PK_26fd81d165f841f937bed8ca053" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_admission_application_unit" ON "admission_application"  ("applicant_unit_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "statutory_area" ("code" character varying(48) NOT NULL, "name_zh" character varying(50) NOT NULL, "name_en" character varying(100) NOT NULL, "source" character varying(200) NOT NULL, CONSTRAINT "PK_3f5255aab9a4a71e1340c8d209d" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "negative_list_item" ("code" character varying(48) NOT NULL, "name_zh" character varying(100) NOT NULL, "name_en" character varying(200) NOT NULL, "applies_to" character varying(20) NOT NULL, "keywords" text array NOT NULL, "source" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_f67c65080244c2b0819d282d8fd" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "negative_list_change" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "action" character varying(12) NOT NULL, "code" character varying(48) NOT NULL, "entry" jsonb, "reason" text NOT NULL, "proposed_by" uuid NOT NULL, "instance_id" uuid, "status" character varying(10) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a98069501e66e073f1058bd73b7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "admitted_item" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid, "emergency" boolean NOT NULL DEFAULT false, "emergency_reason" text, "regularized_by_item_id" uuid, "leading_group_id" uuid NOT NULL, "department_id" uuid NOT NULL, "number_year" integer NOT NULL, "number_seq" integer NOT NULL, "admission_number" character varying(40) NOT NULL, "kind" character varying(20) NOT NULL, "title" character varying(200) NOT NULL, "statutory_area" character varying(48) NOT NULL, "legal_basis" character varying(200), "authorized_content" text NOT NULL, "target_population" text NOT NULL, "powers" text NOT NULL, "start_date" date NOT NULL, "end_date" date NOT NULL, "funding_per_community_fen" bigint NOT NULL, "report_fields" text array NOT NULL DEFAULT '{}', "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "funding_deadline" TIMESTAMP WITH TIME ZONE NOT NULL, "exited_at" TIMESTAMP WITH TIME ZONE, "exit_reason" character varying(200), CONSTRAINT "PK_2b43ceef098f21660e5e07c3cbe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_admitted_item_application" ON "admitted_item"  ("application_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_admitted_item_number" ON "admitted_item"  ("leading_group_id", "number_year", "number_seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "admitted_item_community" ("item_id" uuid NOT NULL, "community_id" uuid NOT NULL, "funding_due_fen" bigint NOT NULL, "funding_status" character varying(16) NOT NULL, "entered_at" TIMESTAMP WITH TIME ZONE, "lapsed_at" TIMESTAMP WITH TIME ZONE, "exited_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_admitted_item_community_funding" CHECK ("funding_status" IN ('not_required', 'awaiting', 'confirmed', 'lapsed')), CONSTRAINT "PK_63f19dc3ff0f5e72319492988a9" PRIMARY KEY ("item_id", "community_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_admitted_item_community_community" ON "admitted_item_community"  ("community_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "funding_transfer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "item_id" uuid NOT NULL, "community_id" uuid NOT NULL, "amount_fen" bigint NOT NULL, "account" character varying(100) NOT NULL, "reference" character varying(100) NOT NULL, "idempotency_key" character varying(100) NOT NULL, "registered_by" uuid NOT NULL, "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "confirmed_by" uuid, "confirmed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_funding_transfer_amount" CHECK ("amount_fen" > 0), CONSTRAINT "PK_57425f78aedf14cb06bee15ac58" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_funding_transfer_key" ON "funding_transfer"  ("item_id", "idempotency_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "item_evaluation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "item_id" uuid NOT NULL, "community_id" uuid NOT NULL, "period" character varying(20) NOT NULL, "respondents" integer NOT NULL, "satisfied" integer NOT NULL, "satisfaction" numeric(5,2) NOT NULL, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_item_evaluation_counts" CHECK ("respondents" > 0 AND "satisfied" >= 0 AND "satisfied" <= "respondents"), CONSTRAINT "PK_5df2bd0a634282516a70c4d410a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_item_evaluation_item" ON "item_evaluation"  ("item_id", "community_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "exit_proposal" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "item_id" uuid NOT NULL, "community_id" uuid, "origin" character varying(16) NOT NULL, "reason" text NOT NULL, "proposed_by" uuid, "instance_id" uuid, "status" character varying(10) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_exit_proposal_origin" CHECK ("origin" IN ('community', 'department', 'office', 'evaluation')), CONSTRAINT "ck_exit_proposal_status" CHECK ("status" IN ('open', 'exited', 'kept')), CONSTRAINT "PK_94e25a345c78daba833135848f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_exit_proposal_item" ON "exit_proposal"  ("item_id") `);
    await queryRunner.query(
      `CREATE TABLE "application_attachment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "file_name" character varying(200) NOT NULL, "content_type" character varying(100) NOT NULL, "size_bytes" integer NOT NULL, "sha256" character(64) NOT NULL, "content" bytea NOT NULL, "uploaded_by" uuid NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_81f963232d2fbde489f4af06baf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_application_attachment_application" ON "application_attachment"  ("application_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_application_attachment_application"`);
    await queryRunner.query(`DROP TABLE "application_attachment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_exit_proposal_item"`);
    await queryRunner.query(`DROP TABLE "exit_proposal"`);
    await queryRunner.query(`DROP INDEX "public"."ix_item_evaluation_item"`);
    await queryRunner.query(`DROP TABLE "item_evaluation"`);
    await queryRunner.query(`DROP INDEX "public"."ux_funding_transfer_key"`);
    await queryRunner.query(`DROP TABLE "funding_transfer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_admitted_item_community_community"`);
    await queryRunner.query(`DROP TABLE "admitted_item_community"`);
    await queryRunner.query(`DROP INDEX "public"."ux_admitted_item_number"`);
    await queryRunner.query(`DROP INDEX "public"."ux_admitted_item_application"`);
    await queryRunner.query(`DROP TABLE "admitted_item"`);
    await queryRunner.query(`DROP TABLE "negative_list_change"`);
    await queryRunner.query(`DROP TABLE "negative_list_item"`);
    await queryRunner.query(`DROP TABLE "statutory_area"`);
    await queryRunner.query(`DROP INDEX "public"."ix_admission_application_unit"`);
    await queryRunner.query(`DROP TABLE "admission_application"`);
  }
}
