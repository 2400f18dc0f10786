import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Proposed changes to the stamp registry, approved by the principal leader (workflows/stamp-list.bpmn). Hand-written. */
export class StampProposals1797100100000 implements MigrationInterface {
  name = 'StampProposals1797100100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stamp_proposal" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope_code" character varying(6) NOT NULL, "summary" text NOT NULL, "origin" jsonb NOT NULL, "changes" jsonb NOT NULL, "state" character varying(12) NOT NULL DEFAULT 'proposed', "proposed_by" uuid NOT NULL, "proposer_unit_id" uuid NOT NULL, "instance_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "decision_comment" text, "published_at" TIMESTAMP WITH TIME ZONE, "published_diff" jsonb, CONSTRAINT "ck_stamp_proposal_scope" CHECK ("scope_code" ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6})?$'), CONSTRAINT "ck_stamp_proposal_state" CHECK ("state" IN ('proposed', 'approved', 'rejected', 'published')), CONSTRAINT "PK_stamp_proposal" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stamp_proposal_unit" ON "stamp_proposal" ("proposer_unit_id", "created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stamp_proposal"`);
  }
}
