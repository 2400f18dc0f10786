import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrgScope, sqlInArea } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { addDays, dayStartCst, nextDay } from '../common/china-time.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { REASON_CODES } from './coverage.js';
import type { DispatchCountsQuery, DispatchCountsRowDto } from './dto/dispatch-counts.dto.js';

/** The longest period one request may count (days from `from` to `to`). */
export const MAX_COUNTS_SPAN_DAYS = 366;

/** The reasons an uncovered piece may have (its headline), each counted in a column of its own. */
const UNCOVERED_REASONS = REASON_CODES.filter((code) => code !== 'covered');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (field: string, problem: string) =>
  new AppError('VALIDATION_FAILED', [{ field, problems: [problem] }]);

interface CountsRow {
  id: string;
  code: string;
  name: string;
  received: number;
  covered: number;
  [reason: `r${number}`]: number;
  refused: number;
  contested: number;
  upheld: number;
  overturned: number;
  withdrawn: number;
  done: number;
  hours: string | null;
  total: number;
}

/**
 * Issue 14 §5, the counts for the burden monitor: per community (or per sending department) over a period of
 * sent days (China time), the pieces received, covered, uncovered by headline reason, refused, contested, upheld,
 * overturned, withdrawn, done and the hours spent on the done ones — only for the communities in the caller's
 * area (OrgScope). One statement: the whole months from the counters kept on write (`dispatch_count`, migration
 * 1797300000000), the partial months at the edges from the pieces (`ix_dispatch_delivery_counts`: community,
 * sent_at, and the counted columns included), so that a year costs little more than a month at a million pieces.
 */
@Injectable()
export class DispatchCountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: OrgScope,
  ) {}

  async counts(p: Principal, q: DispatchCountsQuery): Promise<Page<DispatchCountsRowDto>> {
    if (q.from > q.to)
      throw invalid('to', '结束日期（to）不能早于开始日期（from）。to must not be before from.');
    if (addDays(q.from, MAX_COUNTS_SPAN_DAYS) < q.to)
      throw invalid(
        'to',
        `统计区间不能超过 ${MAX_COUNTS_SPAN_DAYS} 天，请缩短日期范围。The period must span at most ${MAX_COUNTS_SPAN_DAYS} days.`,
      );
    const communityId = q.community ? await this.communityInArea(p, q.community) : null;
    const departmentId = q.department ? await this.departmentForArea(p, q.department) : null;
    const req = pageRequest(q);
    const sql = dispatchCountsSql(q.by ?? 'community');
    const plan = countsPlan(q.from, q.to);
    const params = dispatchCountsParams(
      plan,
      p.scopePath,
      communityId,
      departmentId,
      req.pageSize,
      req.offset,
    );
    let rows: CountsRow[] = await this.dataSource.query(sql, params);
    let total = rows[0]?.total ?? 0;
    if (!rows.length && req.offset > 0) {
      // Past the last page: the total still tells the client where the rows end.
      rows = await this.dataSource.query(
        sql,
        dispatchCountsParams(plan, p.scopePath, communityId, departmentId, 1, 0),
      );
      total = rows[0]?.total ?? 0;
      rows = [];
    }
    return toPage(rows.map(toRow), total, req);
  }

  /** A community of the caller's area by unit code or id; any other answers 404 as a missing one. */
  private async communityInArea(p: Principal, param: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM org_unit
        WHERE kind = 'COMMUNITY' AND (code = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid))
          AND ${this.scope.sqlInArea('path', '$3')}
        LIMIT 1`,
      [param, UUID.test(param) ? param : null, p.scopePath],
    );
    if (!rows.length)
      throw new AppError(
        'COMMUNITY_NOT_FOUND',
        { community: param },
        '找不到该社区：请填写您辖区内社区的社区代码（如 339901001001）或编号，不能只填名称。No community of your area has this code or id (a name is not accepted here).',
      );
    return rows[0].id;
  }

  /**
   * A department that may send work to the caller's area, by unit code or id: one in the area, or one of a unit
   * above it (the district's or the city's departments, for a street). Another district's answers 404 as missing.
   */
  private async departmentForArea(p: Principal, param: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM org_unit
        WHERE kind = 'DEPARTMENT' AND (code = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid))
          AND (${this.scope.sqlInArea('path', '$3')}
               OR ${this.scope.sqlInArea('$3', `regexp_replace(path, '[^/]+/$', '')`)})
        LIMIT 1`,
      [param, UUID.test(param) ? param : null, p.scopePath],
    );
    if (!rows.length) throw new AppError('UNIT_NOT_FOUND', { department: param });
    return rows[0].id;
  }
}

/** A stretch of sent instants [from, to) of dispatch_delivery counted with a sign (+1 added, -1 taken away). */
export interface RawRange {
  sign: 1 | -1;
  from: Date;
  to: Date;
}

/**
 * How the counts of a period are read: the months [fromMonth, toMonth) from `dispatch_count` (first days of
 * China-time months; empty when equal), plus or minus at most two stretches of pieces read from
 * `dispatch_delivery` (empty when `from` equals `to`). Counts add up, so a partial month at an edge is read
 * either as its days inside the period (+) or as the whole month's counters less its days outside the period (−),
 * whichever reads fewer days: at most half a month of pieces at each edge.
 */
export interface CountsPlan {
  fromMonth: string;
  toMonth: string;
  raw: [RawRange, RawRange];
}

const monthStart = (day: string) => `${day.slice(0, 8)}01`;
const nextMonth = (day: string) => {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};
const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86400_000;

/** The plan of the China days [from, to] (inclusive, YYYY-MM-DD, from ≤ to). */
export function countsPlan(from: string, to: string): CountsPlan {
  const end = nextDay(to);
  const none = (): RawRange => ({ sign: 1, from: dayStartCst(end), to: dayStartCst(end) });
  const plus = (a: string, b: string): RawRange => ({ sign: 1, from: dayStartCst(a), to: dayStartCst(b) });
  const minus = (a: string, b: string): RawRange => ({ sign: -1, from: dayStartCst(a), to: dayStartCst(b) });
  const first = monthStart(from);
  if (first === monthStart(to)) {
    // Within one month: its days, or the month less the days before and after.
    const after = nextMonth(from);
    if (daysBetween(from, end) <= daysBetween(first, from) + daysBetween(end, after))
      return { fromMonth: first, toMonth: first, raw: [plus(from, end), none()] };
    return { fromMonth: first, toMonth: after, raw: [minus(first, from), minus(end, after)] };
  }
  // The first month: from `from` to its end, or the whole month less the days before `from`.
  let fromMonth = first;
  let left = none();
  if (from !== first) {
    if (daysBetween(from, nextMonth(from)) <= daysBetween(first, from)) {
      fromMonth = nextMonth(from);
      left = plus(from, fromMonth);
    } else left = minus(first, from);
  }
  // The last month: from its first day to `to`, or the whole month less the days after `to`.
  const last = monthStart(to);
  let toMonth = nextMonth(to);
  let right = none();
  if (end !== toMonth) {
    if (daysBetween(last, end) <= daysBetween(end, toMonth)) {
      right = plus(last, end);
      toMonth = last;
    } else right = minus(end, toMonth);
  }
  return { fromMonth, toMonth, raw: [left, right] };
}

/**
 * The parameters of `dispatchCountsSql` for a period (see there): the caller's area, one community or null, one
 * department or null, limit and offset.
 */
export function dispatchCountsParams(
  plan: CountsPlan,
  area: string,
  communityId: string | null,
  departmentId: string | null,
  limit: number,
  offset: number,
): unknown[] {
  const [a, b] = plan.raw;
  return [
    area,
    communityId,
    departmentId,
    limit,
    offset,
    plan.fromMonth,
    plan.toMonth,
    a.sign,
    a.from,
    a.to,
    b.sign,
    b.from,
    b.to,
  ];
}

/**
 * The one statement of the counts: $1 the caller's area; $2 one community or null; $3 one department or null; $4,
 * $5 limit and offset; $6, $7 the months [from, to) read from `dispatch_count`; $8–$10 and $11–$13 two stretches
 * of sent instants (sign, from, to) read from `dispatch_delivery` (ix_dispatch_delivery_counts) — see CountsPlan
 * and dispatchCountsParams. Each part skips itself when empty; the parts are added up per community (or
 * department). Exported for the benchmark's EXPLAIN ANALYZE.
 */
export function dispatchCountsSql(by: 'community' | 'department'): string {
  const key = by === 'department' ? 'department_id' : 'community_id';
  const reasonColumns = UNCOVERED_REASONS.map((code) => code.replace(/-/g, '_'));
  const counters = [
    'received',
    'covered',
    ...reasonColumns,
    'refused',
    'contested',
    'upheld',
    'overturned',
    'withdrawn',
    'done',
  ];
  // The counters and the pieces, each part in the same columns: one group per row, one column per reason. The
  // counters are read community by community (LATERAL: an index probe of pk_dispatch_count for each community of
  // the area, never a scan of every community's months).
  const fromCounters = `
        SELECT t.* FROM area CROSS JOIN LATERAL (
          SELECT n.${key} AS key, ${counters.map((c) => `sum(n.${c})::int`).join(', ')}, sum(n.hours)
            FROM dispatch_count n
           WHERE n.community_id = area.id AND n.month >= $6::date AND n.month < $7::date
             AND ($3::uuid IS NULL OR n.department_id = $3::uuid)
           GROUP BY n.${key}) t
         WHERE $6::date < $7::date`;
  const fromPieces = (sign: string, from: string, to: string) => {
    // Integers like the counters' columns (the sums below then add integers, not numerics).
    const n = (filter: string) =>
      `(${sign}::int * count(*)${filter ? ` FILTER (WHERE ${filter})` : ''})::int`;
    return `
        SELECT v.${key} AS key, ${n('')}, ${n('v.covered')},
               ${UNCOVERED_REASONS.map((code) => n(`NOT v.covered AND v.reason_code = '${code}'`)).join(', ')},
               ${n('v.refused_at IS NOT NULL')}, ${n('v.disputed_at IS NOT NULL')},
               ${n(`v.dispute_state = 'upheld'`)}, ${n(`v.dispute_state = 'overturned'`)},
               ${n(`v.state = 'withdrawn'`)}, ${n(`v.state = 'done'`)},
               ${sign}::int * sum(v.hours_spent) FILTER (WHERE v.state = 'done')
          FROM area JOIN dispatch_delivery v ON v.community_id = area.id
         WHERE ${from}::timestamptz < ${to}::timestamptz AND v.sent_at >= ${from} AND v.sent_at < ${to}
           AND ($3::uuid IS NULL OR v.department_id = $3::uuid)
         GROUP BY 1`;
  };
  const sums = counters.map((c, i) =>
    i >= 2 && i < 2 + reasonColumns.length ? `sum(p.${c})::int AS r${i - 2}` : `sum(p.${c})::int AS ${c}`,
  );
  return `
      WITH area AS MATERIALIZED (
        SELECT c.id FROM org_unit c WHERE ${sqlInArea('c.path', '$1')} AND ($2::uuid IS NULL OR c.id = $2::uuid)
      ), p (key, ${counters.join(', ')}, hours) AS (${fromCounters}
        UNION ALL${fromPieces('$8', '$9', '$10')}
        UNION ALL${fromPieces('$11', '$12', '$13')}
      ), r AS (
        SELECT p.key, ${sums.join(', ')}, sum(p.hours) AS hours
          FROM p GROUP BY p.key HAVING sum(p.received) > 0
      )
      SELECT u.id, u.code, u.name, r.*, count(*) OVER ()::int AS total
        FROM r JOIN org_unit u ON u.id = r.key
       ORDER BY u.code, u.id
       LIMIT $4 OFFSET $5`;
}

function toRow(r: CountsRow): DispatchCountsRowDto {
  const covered = r.covered;
  return {
    unit: { id: r.id, code: r.code, name: r.name },
    received: r.received,
    covered,
    uncovered: r.received - covered,
    uncoveredByReason: Object.fromEntries(
      UNCOVERED_REASONS.map((code, i) => [code, r[`r${i}`]] as const).filter(([, n]) => n > 0),
    ),
    refused: r.refused,
    contested: r.contested,
    upheld: r.upheld,
    overturned: r.overturned,
    withdrawn: r.withdrawn,
    done: r.done,
    hours: r.hours === null ? 0 : Number(r.hours),
  };
}
