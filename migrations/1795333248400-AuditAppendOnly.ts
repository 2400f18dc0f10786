import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Hand-written: the audit trail refuses UPDATE, DELETE and TRUNCATE at the database itself (DESIGN §7). */
export class AuditAppendOnly1795333248400 implements MigrationInterface {
  name = 'AuditAppendOnly1795333248400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION audit_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_record is append-only' USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER tg_audit_record_no_update BEFORE UPDATE OR DELETE ON "audit_record" FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_audit_record_no_truncate BEFORE TRUNCATE ON "audit_record" FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tg_audit_record_no_truncate ON "audit_record"`);
    await queryRunner.query(`DROP TRIGGER tg_audit_record_no_update ON "audit_record"`);
    await queryRunner.query(`DROP FUNCTION audit_record_refuse_change()`);
  }
}
