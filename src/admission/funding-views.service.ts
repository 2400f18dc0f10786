import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import { Permission } from '../auth/permissions.js';
import type { Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import type { FundingDue, FundingTransferRow } from './dto/funding-responses.dto.js';
import type { FundingState, ItemCommunityFunding, TransferState } from './dto/item-responses.dto.js';

/**
 * One community's funding as people speak of it: not_required; none (due, nothing registered yet); registered
 * (a transfer waits for finance); confirmed; lapsed (a regular item's window closed unfunded); overdue (an
 * emergency item's window closed unfunded: still in force, still owed).
 */
const FUNDING_STATE = `CASE WHEN c.funding_status = 'awaiting' THEN
         CASE WHEN EXISTS (SELECT 1 FROM funding_transfer t0 WHERE t0.item_id = c.item_id AND t0.community_id = c.community_id
                              AND t0.confirmed_at IS NULL) THEN 'registered' ELSE 'none' END
       ELSE c.funding_status END`;
const AMOUNTS = `(SELECT coalesce(sum(t1.amount_fen) FILTER (WHERE t1.confirmed_at IS NULL), 0)::bigint FROM funding_transfer t1
                   WHERE t1.item_id = c.item_id AND t1.community_id = c.community_id) AS registered_fen,
                 (SELECT coalesce(sum(t2.amount_fen) FILTER (WHERE t2.confirmed_at IS NOT NULL), 0)::bigint FROM funding_transfer t2
                   WHERE t2.item_id = c.item_id AND t2.community_id = c.community_id) AS confirmed_fen`;
const TRANSFER_STATE = `CASE WHEN t.confirmed_at IS NOT NULL THEN 'confirmed'
       WHEN c.funding_status IN ('awaiting', 'overdue') THEN 'awaiting'
       WHEN c.funding_status = 'lapsed' THEN 'lapsed' ELSE 'superseded' END`;

/**
 * The money made findable (费随事转): finance's inbox of transfers waiting for its confirmation, a department's
 * registered transfers and their state, the funding owed per community (overdue emergency funding flagged for
 * the office and finance), and each community's funding on an item's page. Who sees what, through OrgScope:
 * finance and the office see the communities in their area; a department sees its own items.
 */
@Injectable()
export class FundingViews {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
  ) {}

  /** Each target community of an item with its funding state, amounts and deadline (public, like the item). */
  async ofItem(m: EntityManager, itemId: string): Promise<ItemCommunityFunding[]> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT u.id AS community_id, u.code, u.name, s.name AS street, c.funding_due_fen, c.funding_status,
              ${FUNDING_STATE} AS funding_state, ${AMOUNTS}, i.funding_deadline,
              c.entered_at, c.lapsed_at, c.exited_at, c.exit_reason
         FROM admitted_item_community c JOIN admitted_item i ON i.id = c.item_id
         JOIN org_unit u ON u.id = c.community_id LEFT JOIN org_unit s ON s.id = u.parent_id
        WHERE c.item_id = $1 ORDER BY u.code`,
      [itemId],
    );
    return rows.map((r) => ({
      communityId: r.community_id as string,
      code: r.code as string,
      name: r.name as string,
      street: r.street as string | null,
      fundingDueFen: Number(r.funding_due_fen),
      fundingStatus: r.funding_status as string,
      fundingState: r.funding_state as FundingState,
      registeredFen: Number(r.registered_fen),
      confirmedFen: Number(r.confirmed_fen),
      fundingDeadline: Number(r.funding_due_fen) > 0 ? (r.funding_deadline as Date) : null,
      enteredAt: r.entered_at as Date | null,
      lapsedAt: r.lapsed_at as Date | null,
      exitedAt: r.exited_at as Date | null,
      exitReason: r.exit_reason as string | null,
    }));
  }

  /**
   * Registered transfers the principal may see, the ones whose deadline comes first first: finance's inbox
   * (state=awaiting: waiting for its confirmation in its area), the department's own transfers.
   */
  async transfers(p: Principal, q: PageQuery & { state?: TransferState }): Promise<Page<FundingTransferRow>> {
    const page = pageRequest(q);
    const [dept, area] = this.visibility(p);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, t.id, t.item_id, i.admission_number, i.title, i.emergency, i.department_id,
              d.name AS department_name, t.community_id, u.code AS community_code, u.name AS community_name, s.name AS street,
              t.amount_fen, t.account, t.reference, t.registered_at, t.confirmed_at, i.funding_deadline,
              ${TRANSFER_STATE} AS state
         FROM funding_transfer t
         JOIN admitted_item i ON i.id = t.item_id
         JOIN admitted_item_community c ON c.item_id = t.item_id AND c.community_id = t.community_id
         JOIN org_unit u ON u.id = t.community_id LEFT JOIN org_unit s ON s.id = u.parent_id
         JOIN org_unit d ON d.id = i.department_id
        WHERE (i.department_id = $1::uuid OR ${this.scope.sqlInArea('u.path', '$2::text')})
          AND ($3::text IS NULL OR ${TRANSFER_STATE} = $3)
        ORDER BY i.funding_deadline, t.registered_at, t.id
        LIMIT $4 OFFSET $5`,
      [dept, area, q.state ?? null, page.pageSize, page.offset],
    );
    const now = this.clock.now();
    const items = rows.map((r) => ({
      id: r.id as string,
      ...itemAndCommunity(r),
      amountFen: Number(r.amount_fen),
      account: r.account as string,
      reference: r.reference as string,
      registeredAt: r.registered_at as Date,
      confirmedAt: r.confirmed_at as Date | null,
      fundingDeadline: r.funding_deadline as Date,
      state: r.state as TransferState,
      overdue: r.state === 'awaiting' && (r.funding_deadline as Date) <= now,
    }));
    return toPage(
      items,
      await this.totalOf(rows, page.offset, () => this.transfers(p, { ...q, page: 1, pageSize: 1 })),
      page,
    );
  }

  /**
   * The funding owed per community of items with funding, as the principal may see it; state=overdue lists the
   * emergency items in force whose funding was not confirmed within the window (seed 002 §11).
   */
  async dues(p: Principal, q: PageQuery & { state?: FundingState }): Promise<Page<FundingDue>> {
    const page = pageRequest(q);
    const [dept, area] = this.visibility(p);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, c.item_id, i.admission_number, i.title, i.emergency, i.department_id,
              d.name AS department_name, c.community_id, u.code AS community_code, u.name AS community_name, s.name AS street,
              c.funding_due_fen, ${FUNDING_STATE} AS funding_state, ${AMOUNTS}, i.funding_deadline
         FROM admitted_item_community c
         JOIN admitted_item i ON i.id = c.item_id
         JOIN org_unit u ON u.id = c.community_id LEFT JOIN org_unit s ON s.id = u.parent_id
         JOIN org_unit d ON d.id = i.department_id
        WHERE c.funding_due_fen > 0
          AND (i.department_id = $1::uuid OR ${this.scope.sqlInArea('u.path', '$2::text')})
          AND ($3::text IS NULL OR ${FUNDING_STATE} = $3)
        ORDER BY i.funding_deadline, i.number_year, i.number_seq, u.code
        LIMIT $4 OFFSET $5`,
      [dept, area, q.state ?? null, page.pageSize, page.offset],
    );
    const items = rows.map((r) => ({
      ...itemAndCommunity(r),
      fundingDueFen: Number(r.funding_due_fen),
      fundingState: r.funding_state as FundingState,
      registeredFen: Number(r.registered_fen),
      confirmedFen: Number(r.confirmed_fen),
      fundingDeadline: r.funding_deadline as Date,
    }));
    return toPage(
      items,
      await this.totalOf(rows, page.offset, () => this.dues(p, { ...q, page: 1, pageSize: 1 })),
      page,
    );
  }

  /**
   * [department, area]: a department's staff and head see their own unit's items; finance and the office see the
   * communities in their area (OrgScope). Anyone else may not ask.
   */
  private visibility(p: Principal): [string | null, string | null] {
    const area =
      p.permissions.has(Permission.FUNDING_CONFIRM) || p.permissions.has(Permission.APPLICATION_REVIEW)
        ? p.scopePath
        : null;
    const dept =
      p.permissions.has(Permission.FUNDING_REGISTER) || p.permissions.has(Permission.APPLICATION_DEPT_APPROVE)
        ? p.unitId
        : null;
    if (!area && !dept) throw new AppError('FORBIDDEN');
    return [dept, area];
  }

  /** A page past the end carries no row, hence no total: count what the first page would list. */
  private async totalOf(
    rows: Record<string, unknown>[],
    offset: number,
    first: () => Promise<Page<unknown>>,
  ): Promise<number> {
    if (rows.length) return Number(rows[0].total_count);
    return offset > 0 ? (await first()).total : 0;
  }
}

/** The item and the community a transfer or a due is of, from a row that names both (see transfers, dues). */
function itemAndCommunity(r: Record<string, unknown>) {
  return {
    itemId: r.item_id as string,
    admissionNumber: r.admission_number as string,
    itemTitle: r.title as string,
    emergency: r.emergency as boolean,
    departmentId: r.department_id as string,
    departmentName: r.department_name as string,
    communityId: r.community_id as string,
    communityCode: r.community_code as string,
    communityName: r.community_name as string,
    street: r.street as string | null,
  };
}
