import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrgScope, sqlInArea } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { addDays, dayStartCst, nextDay } from '../common/china-time.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import type { DispatchCountsQuery, DispatchCountsRowDto } from './dto/dispatch-counts.dto.js';

/** The longest period one request may count (days from `from` to `to`). */
export const MAX_COUNTS_SPAN_DAYS = 366;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (field: string, problem: string) =>
  new AppError('VALIDATION_FAILED', [{ field, problems: [problem] }]);

interface CountsRow {
  id: string;
  code: string;
  name: string;
  received: number;
  covered: number;
  by_reason: Record<string, number>;
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
 * area (OrgScope). One aggregate query over `ix_dispatch_delivery_counts` (community, sent_at, and the counted
 * columns included), so it stays cheap at a million pieces.
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
    const params = [
      dayStartCst(q.from),
      dayStartCst(nextDay(q.to)),
      p.scopePath,
      communityId,
      departmentId,
      req.pageSize,
      req.offset,
    ];
    let rows: CountsRow[] = await this.dataSource.query(sql, params);
    let total = rows[0]?.total ?? 0;
    if (!rows.length && req.offset > 0) {
      // Past the last page: the total still tells the client where the rows end.
      rows = await this.dataSource.query(sql, [...params.slice(0, 5), 1, 0]);
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
    if (!rows.length) throw new AppError('COMMUNITY_NOT_FOUND', { community: param });
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

/**
 * The one statement of the counts: $1, $2 the period's instants [from, to); $3 the caller's area; $4 one community
 * or null; $5 one department or null; $6, $7 limit and offset. Exported for the benchmark's EXPLAIN ANALYZE.
 */
export function dispatchCountsSql(by: 'community' | 'department'): string {
  const key = by === 'department' ? 'v.department_id' : 'v.community_id';
  return `
      WITH g AS (
        SELECT ${key} AS key, v.covered, v.reason_code, count(*)::int AS n,
               count(*) FILTER (WHERE v.refused_at IS NOT NULL)::int AS refused,
               count(*) FILTER (WHERE v.dispute_state IS NOT NULL)::int AS contested,
               count(*) FILTER (WHERE v.dispute_state = 'upheld')::int AS upheld,
               count(*) FILTER (WHERE v.dispute_state = 'overturned')::int AS overturned,
               count(*) FILTER (WHERE v.state = 'withdrawn')::int AS withdrawn,
               count(*) FILTER (WHERE v.state = 'done')::int AS done,
               sum(v.hours_spent) FILTER (WHERE v.state = 'done') AS hours
          FROM dispatch_delivery v JOIN org_unit c ON c.id = v.community_id
         WHERE v.sent_at >= $1 AND v.sent_at < $2 AND ${sqlInArea('c.path', '$3')}
           AND ($4::uuid IS NULL OR v.community_id = $4::uuid)
           AND ($5::uuid IS NULL OR v.department_id = $5::uuid)
         GROUP BY 1, 2, 3
      ), r AS (
        SELECT key, sum(n)::int AS received, coalesce(sum(n) FILTER (WHERE covered), 0)::int AS covered,
               coalesce(jsonb_object_agg(reason_code, n) FILTER (WHERE NOT covered), '{}'::jsonb) AS by_reason,
               sum(refused)::int AS refused, sum(contested)::int AS contested, sum(upheld)::int AS upheld,
               sum(overturned)::int AS overturned, sum(withdrawn)::int AS withdrawn, sum(done)::int AS done,
               sum(hours) AS hours, count(*) OVER ()::int AS total
          FROM g GROUP BY key
      )
      SELECT u.id, u.code, u.name, r.received, r.covered, r.by_reason, r.refused, r.contested, r.upheld,
             r.overturned, r.withdrawn, r.done, r.hours, r.total
        FROM r JOIN org_unit u ON u.id = r.key
       ORDER BY u.code, u.id
       LIMIT $6 OFFSET $7`;
}

function toRow(r: CountsRow): DispatchCountsRowDto {
  const covered = r.covered;
  return {
    unit: { id: r.id, code: r.code, name: r.name },
    received: r.received,
    covered,
    uncovered: r.received - covered,
    uncoveredByReason: r.by_reason,
    refused: r.refused,
    contested: r.contested,
    upheld: r.upheld,
    overturned: r.overturned,
    withdrawn: r.withdrawn,
    done: r.done,
    hours: r.hours === null ? 0 : Number(r.hours),
  };
}
