import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain is extended when a transaction commits, not while it runs: a transaction writes its
 * records into audit_pending, and a deferred trigger moves each into audit_record at commit, hashing it
 * onto the chain's head (one row, audit_head). Transactions queue on the head row only during their
 * commit, instead of from their first audit record to their commit; chain order is commit order and seq
 * order. The head starts at the newest existing record. Partly hand-written (the function and trigger).
 */
export class AuditChainAtCommit1795491941520 implements MigrationInterface {
  name = 'AuditChainAtCommit1795491941520';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_head" ("id" smallint NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "ck_audit_head_single" CHECK ("id" = 1), CONSTRAINT "PK_d3ed64edb3e208e83ccb5da589a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_pending" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_username" character varying(64), "action" character varying(64) NOT NULL, "entity_type" character varying(64) NOT NULL, "entity_id" character varying(64), "data" jsonb, "request_id" character varying(64), "content" text NOT NULL, CONSTRAINT "PK_75e10a15f610386e81e7f88cc29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "audit_head" ("id", "prev_hash", "hash")
       SELECT 1, coalesce((SELECT "prev_hash" FROM "audit_record" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
                 coalesce((SELECT "hash" FROM "audit_record" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64))`,
    );
    await queryRunner.query(`CREATE FUNCTION audit_chain_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head record;
BEGIN
  UPDATE audit_head
     SET prev_hash = hash, hash = encode(sha256(convert_to(hash::text || NEW.content, 'UTF8')), 'hex')
   WHERE id = 1
  RETURNING prev_hash, hash INTO head;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the audit chain has no head row (audit_head): run the migrations';
  END IF;
  INSERT INTO audit_record (at, actor_id, actor_username, action, entity_type, entity_id, data, request_id, prev_hash, hash)
  VALUES (NEW.at, NEW.actor_id, NEW.actor_username, NEW.action, NEW.entity_type, NEW.entity_id, NEW.data,
          NEW.request_id, head.prev_hash, head.hash);
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE CONSTRAINT TRIGGER tg_audit_pending_chain AFTER INSERT ON "audit_pending" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_at_commit()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_audit_pending_chain ON "audit_pending"`);
    await queryRunner.query(`DROP FUNCTION audit_chain_at_commit()`);
    await queryRunner.query(`DROP TABLE "audit_pending"`);
    await queryRunner.query(`DROP TABLE "audit_head"`);
  }
}
