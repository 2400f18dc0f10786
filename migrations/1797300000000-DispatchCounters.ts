import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §5: the burden monitor's counts kept on write. `dispatch_count` holds, per China-time month of
 * `sent_at`, community and sending department, exactly the quantities GET /dispatch-counts counts over
 * `dispatch_delivery` (received; covered; uncovered per headline reason; refused = refused_at set; contested =
 * dispute_state set; upheld; overturned; withdrawn; done; hours spent on the done pieces). Statement-level
 * triggers with transition tables keep it current: each statement subtracts its old rows' contributions and adds
 * its new rows', aggregated per key (a dispatch to 1,000 communities is one upsert of 1,000 rows), skipping keys
 * whose counts do not change (an accept), upserting in key order (two statements lock counters in the same order).
 * The triggers are created before the backfill: creating them locks dispatch_delivery against writes until this
 * migration commits, so no piece is missed or counted twice. Hand-written (triggers, backfill).
 */

/** The uncovered reasons of src/dispatch/coverage.ts (REASON_CODES without 'covered') as of this migration. */
const REASONS = [
  'negative-list',
  'stamp-prohibited',
  'no-admitted-item',
  'other-department-item',
  'not-in-force',
  'wrong-kind',
  'stamp-not-listed',
  'outside-content',
  'duplicate-report-field',
  'short-notice',
];
const reasonColumn = (code: string) => code.replace(/-/g, '_');

/**
 * Every counted column but hours, with the condition under which a piece counts in it; `contested` as the
 * migration that defines it says (here: a dispute state set; 1797301200000: ever contested, disputed_at set).
 */
export const countedColumns = (contested: string): [string, string][] => [
  ['received', 'true'],
  ['covered', 'r.covered'],
  ...REASONS.map((code): [string, string] => [
    reasonColumn(code),
    `NOT r.covered AND r.reason_code = '${code}'`,
  ]),
  ['refused', 'r.refused_at IS NOT NULL'],
  ['contested', contested],
  ['upheld', `r.dispute_state = 'upheld'`],
  ['overturned', `r.dispute_state = 'overturned'`],
  ['withdrawn', `r.state = 'withdrawn'`],
  ['done', `r.state = 'done'`],
];
const COUNTED = countedColumns('r.dispute_state IS NOT NULL');
const COLUMNS = [...COUNTED.map(([c]) => c), 'hours'];
/** The China-time (UTC+8, as src/common/china-time.ts) month of a piece's sent_at. */
const MONTH = `date_trunc('month', (r.sent_at AT TIME ZONE 'UTC') + interval '8 hours')::date`;

/**
 * The upsert of the deltas of `rows` (sign, community_id, sent_at, department_id and the counted columns of
 * dispatch_delivery): one row per key whose counts change, in key order.
 */
export function applyDeltas(rows: string, counted: [string, string][] = COUNTED): string {
  const contributions = [
    ...counted.map(([c, when]) => `CASE WHEN ${when} THEN r.sign ELSE 0 END AS ${c}`),
    `CASE WHEN r.state = 'done' THEN r.sign * coalesce(r.hours_spent, 0) ELSE 0 END AS hours`,
  ];
  return `INSERT INTO dispatch_count AS n (community_id, month, department_id, ${COLUMNS.join(', ')})
    SELECT d.community_id, d.month, d.department_id, ${COLUMNS.map((c) => `sum(d.${c})`).join(', ')}
      FROM (SELECT r.community_id, ${MONTH} AS month, r.department_id, ${contributions.join(', ')}
              FROM (${rows}) r) d
     GROUP BY d.community_id, d.month, d.department_id
    HAVING ${COLUMNS.map((c) => `sum(d.${c}) <> 0`).join(' OR ')}
     ORDER BY d.community_id, d.month, d.department_id
    ON CONFLICT (community_id, month, department_id) DO UPDATE
       SET ${COLUMNS.map((c) => `${c} = n.${c} + excluded.${c}`).join(', ')}`;
}

export const FIELDS = `community_id, sent_at, department_id, covered, reason_code, refused_at, dispute_state, state, hours_spent`;
const ADDED = `SELECT 1 AS sign, ${FIELDS} FROM dispatch_count_new`;
const REMOVED = `SELECT -1 AS sign, ${FIELDS} FROM dispatch_count_old`;

export const fn = (
  name: string,
  body: string,
  replace = false,
) => `CREATE ${replace ? 'OR REPLACE ' : ''}FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${body};
  RETURN NULL;
END $$`;

export class DispatchCounters1797300000000 implements MigrationInterface {
  name = 'DispatchCounters1797300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const counters = COLUMNS.map((c) =>
      c === 'hours' ? `"hours" numeric NOT NULL DEFAULT '0'` : `"${c}" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `CREATE TABLE "dispatch_count" ("community_id" uuid NOT NULL, "month" date NOT NULL, "department_id" uuid NOT NULL, ${counters.join(', ')}, CONSTRAINT "pk_dispatch_count" PRIMARY KEY ("community_id", "month", "department_id"))`,
    );
    await queryRunner.query(fn('dispatch_count_inserted', applyDeltas(ADDED)));
    await queryRunner.query(fn('dispatch_count_updated', applyDeltas(`${REMOVED} UNION ALL ${ADDED}`)));
    await queryRunner.query(fn('dispatch_count_deleted', applyDeltas(REMOVED)));
    await queryRunner.query(fn('dispatch_count_truncated', 'DELETE FROM dispatch_count'));
    await queryRunner.query(
      `CREATE TRIGGER tg_dispatch_delivery_count_insert AFTER INSERT ON "dispatch_delivery" REFERENCING NEW TABLE AS dispatch_count_new FOR EACH STATEMENT EXECUTE FUNCTION dispatch_count_inserted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_dispatch_delivery_count_update AFTER UPDATE ON "dispatch_delivery" REFERENCING OLD TABLE AS dispatch_count_old NEW TABLE AS dispatch_count_new FOR EACH STATEMENT EXECUTE FUNCTION dispatch_count_updated()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_dispatch_delivery_count_delete AFTER DELETE ON "dispatch_delivery" REFERENCING OLD TABLE AS dispatch_count_old FOR EACH STATEMENT EXECUTE FUNCTION dispatch_count_deleted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tg_dispatch_delivery_count_truncate AFTER TRUNCATE ON "dispatch_delivery" FOR EACH STATEMENT EXECUTE FUNCTION dispatch_count_truncated()`,
    );
    // The pieces already sent (the triggers above hold writers off until this migration commits).
    await queryRunner.query(applyDeltas(`SELECT 1 AS sign, ${FIELDS} FROM dispatch_delivery`));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete', 'truncate'])
      await queryRunner.query(`DROP TRIGGER tg_dispatch_delivery_count_${op} ON "dispatch_delivery"`);
    for (const f of ['inserted', 'updated', 'deleted', 'truncated'])
      await queryRunner.query(`DROP FUNCTION dispatch_count_${f}()`);
    await queryRunner.query(`DROP TABLE "dispatch_count"`);
  }
}
