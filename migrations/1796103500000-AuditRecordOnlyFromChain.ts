import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit records reach audit_record only through the chain at commit (audit_chain_at_commit, a trigger on
 * audit_pending). A direct INSERT — from a server process older than AuditChainAtCommit, say, still running
 * beside new ones — would fork the chain behind the head row; it is refused instead, with a message that
 * says what to do. Hand-written.
 */
export class AuditRecordOnlyFromChain1796103500000 implements MigrationInterface {
  name = 'AuditRecordOnlyFromChain1796103500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION audit_record_only_from_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Depth 1: this trigger fired for a statement of a client; 2 or more: inside audit_chain_at_commit.
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit records are written through audit_pending and chained at commit: this server program is older than the database; update it'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER tg_audit_record_only_from_chain BEFORE INSERT ON "audit_record" FOR EACH ROW EXECUTE FUNCTION audit_record_only_from_chain()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_audit_record_only_from_chain ON "audit_record"`);
    await queryRunner.query(`DROP FUNCTION audit_record_only_from_chain()`);
  }
}
