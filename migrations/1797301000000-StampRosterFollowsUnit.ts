import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The stamp roster (用印人员) is of a community's members: an account moved to another unit, or disabled, leaves
 * the roster at that moment (`removed_at` the change's time, `removed_by` null: nobody removed it, it left), in the
 * same transaction as the change, whoever makes it. Moved back or enabled again, it is not on the roster with its
 * old date: the committee puts it on anew. Rows of accounts moved or disabled before this are ended now. A
 * trigger, so that the organization's code need not know of the stamp log. Hand-written.
 */
export class StampRosterFollowsUnit1797301000000 implements MigrationInterface {
  name = 'StampRosterFollowsUnit1797301000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION stamp_roster_follows_unit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Never before the row began (a move that waited for the row's insert starts earlier than its clock).
        UPDATE stamp_log_member SET removed_at = greatest(now(), added_at)
         WHERE user_id = NEW.id AND removed_at IS NULL
           AND (NOT NEW.active OR community_id IS DISTINCT FROM NEW.unit_id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER tr_app_user_stamp_roster AFTER UPDATE OF unit_id, active ON app_user
        FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR (OLD.active AND NOT NEW.active))
        EXECUTE FUNCTION stamp_roster_follows_unit()`);
    await queryRunner.query(`
      UPDATE stamp_log_member s SET removed_at = greatest(now(), s.added_at) FROM app_user u
       WHERE u.id = s.user_id AND s.removed_at IS NULL AND (NOT u.active OR s.community_id IS DISTINCT FROM u.unit_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER tr_app_user_stamp_roster ON app_user`);
    await queryRunner.query(`DROP FUNCTION stamp_roster_follows_unit()`);
  }
}
