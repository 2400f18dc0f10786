import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server processes keep the sessions they have checked in memory (src/auth/session-cache.ts); every committed
 * change that can end a session or change what it may do is announced on the channel auth_changed, so that every
 * process forgets them: a session revoked or its expiry changed; a user disabled, moved, renamed or given other
 * roles; a unit moved or of another kind (the scope of its users); any row deleted, any table truncated.
 * Statement-level triggers with column lists: a log-in (which writes the counters and last log-in of app_user and
 * inserts a session) announces nothing. Hand-written.
 */
export class SessionChanges1797300500000 implements MigrationInterface {
  name = 'SessionChanges1797300500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION auth_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('auth_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$`);
    for (const [table, columns] of TRIGGERS)
      await queryRunner.query(
        `CREATE TRIGGER tg_${table}_announce_auth_change AFTER UPDATE OF ${columns} OR DELETE OR TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION auth_announce_change()`,
      );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of TRIGGERS)
      await queryRunner.query(`DROP TRIGGER tg_${table}_announce_auth_change ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION auth_announce_change()`);
  }
}

/** The columns of the session check's answer (src/auth/jwt.strategy.ts), per table. */
const TRIGGERS: [string, string][] = [
  ['auth_session', 'id, user_id, revoked_at, expires_at'],
  ['app_user', 'id, username, display_name, roles, unit_id, active'],
  ['org_unit', 'id, kind, path, parent_id'],
];
