import type { EntityManager } from 'typeorm';

/**
 * 在施 — the one meaning of "an admitted item is in force in a community on a day". Every place that asks
 * (the public register, residents' evaluations and exits, regularizing an emergency item, the duplicate check,
 * and next the dispatch of work to a community) asks this query and nothing else.
 *
 * An item is in force in a community on day D (a China day, Asia/Shanghai) when
 *  - D is within its period: start_date ≤ D ≤ end_date;
 *  - it entered the community by D: entered_at falls on D or earlier — a regular item enters once its funding
 *    is confirmed or when none is due (seed 002 §5: funding before entry), an emergency item at once, its
 *    funding settled after the fact (seed 002 §11); a community whose funding lapsed never entered;
 *  - it has not left the community by D: exited_at (an exit decided, its end date passed, regularized) is
 *    empty or falls on a later day.
 * A period of days [from, to] asks "in force on at least one day of it": one and the same day meets every
 * condition (a community that left before the item started was never in force there).
 *
 * Questions that differ on purpose are parameters, not copies: `orAwaitingFunding` also counts communities
 * still within their funding window (what is or will be in force: the duplicate check of a new application).
 */
export interface InForceQuery {
  /** A China day (YYYY-MM-DD), or a period of days (in force on at least one of them). */
  on: string | { from: string; to: string };
  /** Only these communities (org_unit ids); all when absent. */
  communityIds?: readonly string[];
  /** Only these items; all when absent. */
  itemIds?: readonly string[];
  /** Only items of this kind. */
  kind?: string;
  /** Only items of this statutory area. */
  statutoryArea?: string;
  /** Also counts communities whose funding is awaited (not yet entered, not lapsed). */
  orAwaitingFunding?: boolean;
}

export interface InForcePair {
  itemId: string;
  communityId: string;
}

/**
 * The query as SQL text selecting `item_id, community_id` (one row per item and community in force), with its
 * parameters numbered from `first`, for a caller that joins it to more (the register's columns).
 */
export function inForceSql(q: InForceQuery, first = 1): { sql: string; params: unknown[] } {
  const from = typeof q.on === 'string' ? q.on : q.on.from;
  const to = typeof q.on === 'string' ? q.on : q.on.to;
  const params: unknown[] = [from, to];
  const $ = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const [$from, $to] = [`$${first}::date`, `$${first + 1}::date`];
  const enteredDay = `(c.entered_at AT TIME ZONE 'Asia/Shanghai')::date`;
  const entered = `(c.entered_at IS NOT NULL AND c.funding_status <> 'lapsed' AND ${enteredDay} <= ${$to})`;
  // The first and the last day on which it is in force there (an awaited community: from the period's start).
  const enteredFrom = q.orAwaitingFunding
    ? `CASE WHEN c.funding_status = 'awaiting' THEN i.start_date ELSE ${enteredDay} END`
    : enteredDay;
  const firstDay = `GREATEST(i.start_date, ${$from}, ${enteredFrom})`;
  const lastDay = `LEAST(i.end_date, ${$to}, COALESCE((c.exited_at AT TIME ZONE 'Asia/Shanghai')::date - 1, 'infinity'::date))`;
  const where = [
    `i.start_date <= ${$to} AND i.end_date >= ${$from}`,
    q.orAwaitingFunding ? `(${entered} OR c.funding_status = 'awaiting')` : entered,
    `(c.exited_at IS NULL OR (c.exited_at AT TIME ZONE 'Asia/Shanghai')::date > ${$from})`,
    // One and the same day of the period, not each condition on a day of its own.
    `${firstDay} <= ${lastDay}`,
  ];
  if (q.communityIds) where.push(`c.community_id = ANY(${$([...q.communityIds])}::uuid[])`);
  if (q.itemIds) where.push(`i.id = ANY(${$([...q.itemIds])}::uuid[])`);
  if (q.kind !== undefined) where.push(`i.kind = ${$(q.kind)}`);
  if (q.statutoryArea !== undefined) where.push(`i.statutory_area = ${$(q.statutoryArea)}`);
  return {
    sql: `SELECT c.item_id, c.community_id
            FROM admitted_item i JOIN admitted_item_community c ON c.item_id = i.id
           WHERE ${where.join('\n             AND ')}`,
    params,
  };
}

/** The items and communities in force (see the rule above). */
export async function itemsInForce(m: EntityManager, q: InForceQuery): Promise<InForcePair[]> {
  const { sql, params } = inForceSql(q);
  const rows: { item_id: string; community_id: string }[] = await m.query(sql, params);
  return rows.map((r) => ({ itemId: r.item_id, communityId: r.community_id }));
}
