import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795333248302 implements MigrationInterface {
  name = 'Initial1795333248302';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_record" ("seq" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_username" character varying(64), "action" character varying(64) NOT NULL, "entity_type" character varying(64) NOT NULL, "entity_id" character varying(64), "data" jsonb, "request_id" character varying(64), "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_e72da936653c69f545ad4b468d0" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_record_actor" ON "audit_record"  ("actor_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_record_entity" ON "audit_record"  ("entity_type", "entity_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "org_unit" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "kind" character varying(24) NOT NULL, "parent_id" uuid, "path" text NOT NULL, "principal_leader_id" uuid, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_org_unit_parent" CHECK (("kind" = 'CITY') = ("parent_id" IS NULL)), CONSTRAINT "ck_org_unit_kind" CHECK ("kind" IN ('CITY', 'DISTRICT', 'STREET', 'COMMUNITY', 'DEPARTMENT', 'LEADING_GROUP', 'LEADING_GROUP_OFFICE', 'FINANCE')), CONSTRAINT "PK_ba1c59043dc14bb66023c1d07c7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_org_unit_code" ON "org_unit"  ("code") `);
    await queryRunner.query(`CREATE INDEX "ix_org_unit_parent" ON "org_unit"  ("parent_id") `);
    await queryRunner.query(`CREATE INDEX "ix_org_unit_path" ON "org_unit"  ("path") `);
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(100) NOT NULL, "password_hash" text NOT NULL, "unit_id" uuid NOT NULL, "roles" text array NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, "failed_login_count" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_app_user_failed_logins" CHECK ("failed_login_count" >= 0), CONSTRAINT "ck_app_user_separation_of_duties" CHECK ((('SYSTEM_ADMIN' = ANY("roles"))::int + ('SECURITY_ADMIN' = ANY("roles"))::int + ('AUDITOR' = ANY("roles"))::int) <= 1), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_app_user_username" ON "app_user"  ("username") `);
    await queryRunner.query(`CREATE INDEX "ix_app_user_unit" ON "app_user"  ("unit_id") `);
    await queryRunner.query(
      `CREATE TABLE "auth_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), CONSTRAINT "PK_19354ed146424a728c1112a8cbf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_auth_session_user" ON "auth_session"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_auth_session_expires" ON "auth_session"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE "leading_group_member" ("group_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "position" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c61c5048351a6d4b56f8eaf9454" PRIMARY KEY ("group_id", "unit_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_leading_group_member_unit" ON "leading_group_member"  ("unit_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "system_setting" ("key" character varying(64) NOT NULL, "value" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c6ce0e35b3c0d67dca93523ba1b" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "org_unit" ADD CONSTRAINT "fk_org_unit_parent" FOREIGN KEY ("parent_id") REFERENCES "org_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "org_unit" ADD CONSTRAINT "fk_org_unit_principal_leader" FOREIGN KEY ("principal_leader_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "app_user" ADD CONSTRAINT "fk_app_user_unit" FOREIGN KEY ("unit_id") REFERENCES "org_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_session" ADD CONSTRAINT "fk_auth_session_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leading_group_member" ADD CONSTRAINT "fk_leading_group_member_group" FOREIGN KEY ("group_id") REFERENCES "org_unit"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leading_group_member" ADD CONSTRAINT "fk_leading_group_member_unit" FOREIGN KEY ("unit_id") REFERENCES "org_unit"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "leading_group_member" DROP CONSTRAINT "fk_leading_group_member_unit"`,
    );
    await queryRunner.query(
      `ALTER TABLE "leading_group_member" DROP CONSTRAINT "fk_leading_group_member_group"`,
    );
    await queryRunner.query(`ALTER TABLE "auth_session" DROP CONSTRAINT "fk_auth_session_user"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP CONSTRAINT "fk_app_user_unit"`);
    await queryRunner.query(`ALTER TABLE "org_unit" DROP CONSTRAINT "fk_org_unit_principal_leader"`);
    await queryRunner.query(`ALTER TABLE "org_unit" DROP CONSTRAINT "fk_org_unit_parent"`);
    await queryRunner.query(`DROP TABLE "system_setting"`);
    await queryRunner.query(`DROP INDEX "public"."ix_leading_group_member_unit"`);
    await queryRunner.query(`DROP TABLE "leading_group_member"`);
    await queryRunner.query(`DROP INDEX "public"."ix_auth_session_expires"`);
    await queryRunner.query(`DROP INDEX "public"."ix_auth_session_user"`);
    await queryRunner.query(`DROP TABLE "auth_session"`);
    await queryRunner.query(`DROP INDEX "public"."ix_app_user_unit"`);
    await queryRunner.query(`DROP INDEX "public"."ux_app_user_username"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_org_unit_path"`);
    await queryRunner.query(`DROP INDEX "public"."ix_org_unit_parent"`);
    await queryRunner.query(`DROP INDEX "public"."ux_org_unit_code"`);
    await queryRunner.query(`DROP TABLE "org_unit"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_record_entity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_record_actor"`);
    await queryRunner.query(`DROP TABLE "audit_record"`);
  }
}
