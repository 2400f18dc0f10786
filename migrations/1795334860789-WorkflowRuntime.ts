import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WorkflowRuntime1795334860789 implements MigrationInterface {
  name = 'WorkflowRuntime1795334860789';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "work_calendar_day" ("day" date NOT NULL, "working_day" boolean NOT NULL, "note" character varying(100), CONSTRAINT "PK_d766483eaa9b4e432dfb965638c" PRIMARY KEY ("day"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_definition" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "process_id" character varying(100) NOT NULL, "version" integer NOT NULL, "name" character varying(200), "file_name" character varying(200) NOT NULL, "content_hash" character(64) NOT NULL, "xml" text NOT NULL, "serialized_source" text NOT NULL, "deployed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_85af8b533afa5d71f1ea9663ad3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_workflow_definition_hash" ON "workflow_definition"  ("process_id", "content_hash") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_workflow_definition_version" ON "workflow_definition"  ("process_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_history" ("seq" BIGSERIAL NOT NULL, "instance_id" uuid NOT NULL, "task_id" uuid, "element_id" character varying(100), "action" character varying(40) NOT NULL, "actor_id" uuid, "actor_username" character varying(64), "at" TIMESTAMP WITH TIME ZONE NOT NULL, "comment" text, "data" jsonb, CONSTRAINT "PK_3537548626478920b3c6e8dbe08" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_history_instance" ON "workflow_history"  ("instance_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_incident" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "instance_id" uuid NOT NULL, "element_id" character varying(100) NOT NULL, "topic" character varying(100) NOT NULL, "message" text NOT NULL, "attempts" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6f16d1c87948624e5755584c034" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_incident_instance" ON "workflow_incident"  ("instance_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_instance" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "definition_id" uuid NOT NULL, "process_id" character varying(100) NOT NULL, "business_key" character varying(100), "status" character varying(16) NOT NULL, "state" jsonb NOT NULL, "variables" jsonb NOT NULL DEFAULT '{}', "started_by" uuid, "owner_unit_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "suspended_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_workflow_instance_status" CHECK ("status" IN ('active', 'suspended', 'completed', 'terminated')), CONSTRAINT "PK_bdf986d25e1c38da3ec565cdefc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_instance_definition" ON "workflow_instance"  ("definition_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_instance_business_key" ON "workflow_instance"  ("process_id", "business_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_task" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "instance_id" uuid NOT NULL, "element_id" character varying(100) NOT NULL, "execution_id" character varying(120) NOT NULL, "name" character varying(200), "form_key" character varying(100), "status" character varying(16) NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'step', "parent_task_id" uuid, "candidate_unit_ids" uuid array NOT NULL DEFAULT '{}', "candidate_roles" text array NOT NULL DEFAULT '{}', "candidate_user_ids" uuid array NOT NULL DEFAULT '{}', "assignee_id" uuid, "escalated_to_unit_ids" uuid array NOT NULL DEFAULT '{}', "delegated_from_id" uuid, "delegated_until" TIMESTAMP WITH TIME ZONE, "loop_index" integer, "loop_item" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "overdue_at" TIMESTAMP WITH TIME ZONE, "limit_working_days" integer, "claimed_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "completed_by" uuid, "decision" character varying(32), "form_data" jsonb, "comment" text, "urged_count" integer NOT NULL DEFAULT '0', "last_urged_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_workflow_task_kind" CHECK ("kind" IN ('step', 'added-signer')), CONSTRAINT "ck_workflow_task_status" CHECK ("status" IN ('open', 'completed', 'cancelled')), CONSTRAINT "PK_12218c4b346ec6363ec7dd5b0b3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_workflow_task_instance" ON "workflow_task"  ("instance_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_task_open_units" ON "workflow_task"  ("candidate_unit_ids") WHERE "status" = 'open'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_workflow_task_execution" ON "workflow_task"  ("instance_id", "execution_id") WHERE "kind" = 'step'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_task_open_assignee" ON "workflow_task"  ("assignee_id") WHERE "status" = 'open'`,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_timer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "instance_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "element_id" character varying(100) NOT NULL, "execution_id" character varying(120) NOT NULL, "task_id" uuid, "fire_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "job_id" uuid, CONSTRAINT "ck_workflow_timer_kind" CHECK ("kind" IN ('bpmn', 'task-limit', 'delegation-end')), CONSTRAINT "PK_2c9f638f4277f831a045e84a41b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_timer_instance" ON "workflow_timer"  ("instance_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_workflow_timer_pending" ON "workflow_timer"  ("fire_at") WHERE "fired_at" IS NULL AND "cancelled_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_undo" ("instance_id" uuid NOT NULL, "task_id" uuid NOT NULL, "version" integer NOT NULL, "state" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_92a63a05b7d0aa19888eee1e314" PRIMARY KEY ("instance_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_instance" ADD CONSTRAINT "fk_workflow_instance_definition" FOREIGN KEY ("definition_id") REFERENCES "workflow_definition"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_task" ADD CONSTRAINT "fk_workflow_task_instance" FOREIGN KEY ("instance_id") REFERENCES "workflow_instance"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_task" DROP CONSTRAINT "fk_workflow_task_instance"`);
    await queryRunner.query(
      `ALTER TABLE "workflow_instance" DROP CONSTRAINT "fk_workflow_instance_definition"`,
    );
    await queryRunner.query(`DROP TABLE "workflow_undo"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_timer_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_timer_instance"`);
    await queryRunner.query(`DROP TABLE "workflow_timer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_task_open_assignee"`);
    await queryRunner.query(`DROP INDEX "public"."ux_workflow_task_execution"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_task_open_units"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_task_instance"`);
    await queryRunner.query(`DROP TABLE "workflow_task"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_instance_business_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_instance_definition"`);
    await queryRunner.query(`DROP TABLE "workflow_instance"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_incident_instance"`);
    await queryRunner.query(`DROP TABLE "workflow_incident"`);
    await queryRunner.query(`DROP INDEX "public"."ix_workflow_history_instance"`);
    await queryRunner.query(`DROP TABLE "workflow_history"`);
    await queryRunner.query(`DROP INDEX "public"."ux_workflow_definition_version"`);
    await queryRunner.query(`DROP INDEX "public"."ux_workflow_definition_hash"`);
    await queryRunner.query(`DROP TABLE "workflow_definition"`);
    await queryRunner.query(`DROP TABLE "work_calendar_day"`);
  }
}
