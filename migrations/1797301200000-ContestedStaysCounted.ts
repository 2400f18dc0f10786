import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyDeltas, countedColumns, FIELDS, fn } from './1797300000000-DispatchCounters.js';

/**
 * The burden monitor's `contested` counts a piece whose refusal was ever contested (`disputed_at` set), not one
 * whose dispute is still on record: a contest withdrawn with its work, or terminated by the office, stayed on
 * record but fell out of the count, and a past period's number went down. The counters' trigger functions are
 * replaced and the column counted again from the pieces, with writers held off until this migration commits. The
 * counts over pieces (a part of a month) read `disputed_at` from the counts' index, as they read the rest (an
 * index-only scan). Hand-written (triggers, recount, an index with INCLUDE).
 */
const recount = (when: string) => [
  `LOCK TABLE "dispatch_delivery" IN SHARE MODE`,
  `UPDATE dispatch_count SET contested = 0 WHERE contested <> 0`,
  `UPDATE dispatch_count n SET contested = x.c
     FROM (SELECT r.community_id, date_trunc('month', (r.sent_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS month,
                  r.department_id, count(*)::int AS c
             FROM dispatch_delivery r WHERE ${when} GROUP BY 1, 2, 3) x
    WHERE n.community_id = x.community_id AND n.month = x.month AND n.department_id = x.department_id`,
];

function replaceFunctions(contested: string, fields: string): string[] {
  const counted = countedColumns(contested);
  const added = `SELECT 1 AS sign, ${fields} FROM dispatch_count_new`;
  const removed = `SELECT -1 AS sign, ${fields} FROM dispatch_count_old`;
  return [
    fn('dispatch_count_inserted', applyDeltas(added, counted), true),
    fn('dispatch_count_updated', applyDeltas(`${removed} UNION ALL ${added}`, counted), true),
    fn('dispatch_count_deleted', applyDeltas(removed, counted), true),
  ];
}

/** The counts' index (migration 1797200600000) with these last included columns. */
const countsIndex = (last: string) => [
  `DROP INDEX "public"."ix_dispatch_delivery_counts"`,
  `CREATE INDEX "ix_dispatch_delivery_counts" ON "dispatch_delivery" ("community_id", "sent_at")
     INCLUDE ("department_id", "covered", "reason_code", "state", "refused_at", ${last})`,
];

export class ContestedStaysCounted1797301200000 implements MigrationInterface {
  name = 'ContestedStaysCounted1797301200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      ...recount('r.disputed_at IS NOT NULL').slice(0, 1),
      ...replaceFunctions('r.disputed_at IS NOT NULL', `${FIELDS}, disputed_at`),
      ...recount('r.disputed_at IS NOT NULL').slice(1),
      ...countsIndex('"dispute_state", "disputed_at", "hours_spent"'),
    ])
      await queryRunner.query(sql);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      ...recount('r.dispute_state IS NOT NULL').slice(0, 1),
      ...replaceFunctions('r.dispute_state IS NOT NULL', FIELDS),
      ...recount('r.dispute_state IS NOT NULL').slice(1),
      ...countsIndex('"dispute_state", "hours_spent"'),
    ])
      await queryRunner.query(sql);
  }
}
