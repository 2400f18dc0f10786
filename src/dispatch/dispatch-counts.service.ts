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
  // One pass, one group per row: each uncovered reason is a column of its own (no second aggregation level).
  const reasons = UNCOVERED_REASONS.map(
    (code, i) => `count(*) FILTER (WHERE NOT v.covered AND v.reason_code = '${code}')::int AS r${i}`,
  ).join(', ');
  return `
      WITH r AS (
        SELECT ${key} AS key, count(*)::int AS received, count(*) FILTER (WHERE v.covered)::int AS covered,
               ${reasons},
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
         GROUP BY 1
      )
      SELECT u.id, u.code, u.name, r.*, count(*) OVER ()::int AS total
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
