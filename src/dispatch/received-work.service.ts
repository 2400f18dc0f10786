import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { isBlank } from '../common/validation.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { rowsOf } from '../common/sql.js';
import type { DeliveryState } from './dispatch.entities.js';
import { addDays } from '../common/china-time.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { dueInfo } from '../workflow/task-about.js';
import {
  OPEN_STATES,
  RECEIVED_SELECT,
  toReceivedWork,
  type ReceivedRow,
  type TimeLeft,
} from './dispatch-rows.js';
import type { ReceivedWorkDto } from './dto/dispatch-responses.dto.js';
import type { DoneDto, ReceivedWorkQuery, RefuseDto } from './dto/dispatch.dto.js';
import { REASON_LABELS, type ReasonCode } from './coverage.js';

/**
 * 收到的工作: the committee's received work — its inbox, and accept, mark done or refuse with one action. Each
 * change is one UPDATE whose WHERE holds every condition (the state, and for a refusal the dispute's ruling), so
 * a change committed by someone else meanwhile (a withdrawal, a ruling) is never overwritten: the piece as it
 * is then answers 409 with its code.
 */
@Injectable()
export class ReceivedWorkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly runtime: WorkflowRuntime,
  ) {}

  /** Received pieces as the committee reads them: an open one with its working days left, as a task shows them. */
  private async withTimeLeft(rows: ReceivedRow[]): Promise<ReceivedWorkDto[]> {
    const open = rows.filter((r) => OPEN_STATES.includes(r.state));
    if (!open.length) return rows.map((r) => toReceivedWork(r));
    const calendar = await this.runtime.workCalendar(this.dataSource.manager);
    const now = this.clock.nowMs();
    const counted = new Map<string, number>();
    return rows.map((r) => {
      if (!OPEN_STATES.includes(r.state)) return toReceivedWork(r);
      // Due on its day (China time): the time runs to the start of the next.
      const d = dueInfo(`${addDays(r.due, 1)}T00:00:00+08:00`, null, now, calendar, counted);
      const left: TimeLeft = {
        workingDaysLeft: d.workingDaysLeft,
        todayCounted: d.todayCounted,
        dueState: d.dueState === 'none' ? null : d.dueState,
      };
      return toReceivedWork(r, left);
    });
  }

  /**
   * The committee's received work (收到的工作): open pieces (received, accepted) first, the nearest due date
   * first (the most urgent), then the newest; then closed pieces (done, refused, withdrawn), newest first.
   */
  async inbox(p: Principal, q: ReceivedWorkQuery): Promise<Page<ReceivedWorkDto>> {
    const page = pageRequest(q);
    const where = ['v.community_id = $1'];
    const params: unknown[] = [p.unitId];
    if (q.state === 'open') where.push(`v.state IN ('received', 'accepted')`);
    else if (q.state === 'closed') where.push(`v.state IN ('done', 'refused', 'withdrawn')`);
    else if (q.state) {
      params.push(q.state);
      where.push(`v.state = $${params.length}`);
    }
    if (q.uncovered !== undefined) {
      params.push(!q.uncovered);
      where.push(`v.covered = $${params.length}`);
    }
    const total: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM dispatch_delivery v WHERE ${where.join(' AND ')}`,
      params,
    );
    const rows: ReceivedRow[] = await this.dataSource.query(
      `${RECEIVED_SELECT} WHERE ${where.join(' AND ')}
        ORDER BY (v.state IN ('received', 'accepted')) DESC,
                 CASE WHEN v.state IN ('received', 'accepted') THEN v.due_date END ASC,
                 v.sent_at DESC, v.id
        LIMIT ${page.pageSize} OFFSET ${page.offset}`,
      params,
    );
    return toPage(await this.withTimeLeft(rows), Number(total[0].n), page);
  }

  /** The committee accepts a piece (接收). */
  async accept(actor: Actor, id: string): Promise<ReceivedWorkDto> {
    return this.transition(actor, id, ['received'], 'accepted', { accepted_at: this.clock.now() });
  }

  /** The committee marks a piece done with the hours it took (accepting it if it had not). */
  async done(actor: Actor, id: string, dto: DoneDto): Promise<ReceivedWorkDto> {
    const now = this.clock.now();
    return this.transition(actor, id, OPEN_STATES, 'done', {
      done_at: now,
      hours_spent: String(dto.hours),
      accepted_at: { sql: 'COALESCE(accepted_at, $now)', value: now },
    });
  }

  /**
   * Seed 002 §4: the committee refuses with one action; the reason defaults to the piece's coverage reason. A
   * covered piece may be refused too, with the committee's own words (outside-duties unless it names a code).
   * A refusal the district or street office overturned stands: the work is not refused again — checked by the
   * write itself, so a ruling committed after this read still wins (409 DISPUTE_ALREADY_RULED).
   */
  async refuse(actor: Actor, id: string, dto: RefuseDto): Promise<ReceivedWorkDto> {
    const p = actor.principal!;
    // Coverage is fixed when the work is sent: what this read says of it stays true.
    const current: {
      covered: boolean;
      reason_code: string;
      reasons: { code: string }[];
      dispute_state: string | null;
    }[] = await this.dataSource.query(
      `SELECT covered, reason_code, reasons, dispute_state FROM dispatch_delivery WHERE id = $1 AND community_id = $2`,
      [id, p.unitId],
    );
    if (!current.length) throw new AppError('RECEIVED_WORK_NOT_FOUND');
    const { covered, reason_code, reasons, dispute_state } = current[0];
    if (dispute_state === 'overturned') throw new AppError('DISPUTE_ALREADY_RULED');
    const note = isBlank(dto.note) ? null : dto.note!.trim();
    if (covered && !note)
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'note',
          problems: [
            '这项工作在准入范围内，拒绝时请写明理由（如明显不属于社区职责范围）。The piece is covered: type the reason for refusing it.',
          ],
        },
      ]);
    // The reason cited must be the piece's own: one its coverage found, or (any piece) that the work is outside the
    // committee's duties — a covered piece only that.
    const citable = new Set(['outside-duties', ...(covered ? [] : reasons.map((r) => r.code))]);
    if (dto.reasonCode && !citable.has(dto.reasonCode))
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'reasonCode',
          problems: [
            covered
              ? '这项工作在准入范围内，只能以明显不属于社区职责为由（outside-duties）拒绝，并写明理由。A covered piece is refused as outside the committee’s duties only.'
              : `拒绝理由须为这项工作不在准入范围的原因之一：${[...citable]
                  .filter((c) => c !== 'outside-duties')
                  .map((c) => `${REASON_LABELS[c as ReasonCode] ?? c}（${c}）`)
                  .join(
                    '、',
                  )}，或明显不属于社区职责（outside-duties）。The reason must be one the piece’s coverage found, or outside-duties.`,
          ],
        },
      ]);
    const reasonCode = dto.reasonCode ?? (covered ? 'outside-duties' : reason_code);
    return this.transition(
      actor,
      id,
      OPEN_STATES,
      'refused',
      {
        refused_at: this.clock.now(),
        refused_by: p.userId,
        refusal_reason_code: reasonCode,
        refusal_note: note,
      },
      `dispute_state IS DISTINCT FROM 'overturned'`,
    );
  }

  /**
   * One atomic state change of a committee's piece: one UPDATE with every condition (`also`: one more on the
   * row); a piece that does not meet them answers 409 with the code of what it is now.
   */
  private async transition(
    actor: Actor,
    id: string,
    from: DeliveryState[],
    to: DeliveryState,
    set: Record<string, unknown>,
    also = 'true',
  ): Promise<ReceivedWorkDto> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      const params: unknown[] = [id, p.unitId, from, to];
      const sets = ['state = $4'];
      for (const [col, v] of Object.entries(set)) {
        if (isSqlValue(v)) {
          params.push(v.value);
          sets.push(`${col} = ${v.sql.replace('$now', `$${params.length}`)}`);
        } else {
          params.push(v);
          sets.push(`${col} = $${params.length}`);
        }
      }
      const updated = rowsOf<{ id: string; dispatch_id: string }>(
        await m.query(
          `UPDATE dispatch_delivery SET ${sets.join(', ')}
          WHERE id = $1 AND community_id = $2 AND state = ANY($3::text[]) AND (${also}) RETURNING id, dispatch_id`,
          params,
        ),
      );
      if (!updated.length) {
        const rows: { state: DeliveryState; dispute_state: string | null }[] = await m.query(
          `SELECT state, dispute_state FROM dispatch_delivery WHERE id = $1 AND community_id = $2`,
          [id, p.unitId],
        );
        if (!rows.length) throw new AppError('RECEIVED_WORK_NOT_FOUND');
        // Overturned meanwhile: the piece is open again, but the ruling says the work stands.
        if (to === 'refused' && rows[0].dispute_state === 'overturned')
          throw new AppError('DISPUTE_ALREADY_RULED');
        throw new AppError(CONFLICT_OF[rows[0].state], { state: rows[0].state });
      }
      await this.audit.record(m, actor, {
        action: `dispatch.${to}`,
        entityType: 'dispatch_delivery',
        entityId: id,
        data: { dispatchId: updated[0].dispatch_id, ...plain(set) },
      });
    });
    const rows: ReceivedRow[] = await this.dataSource.query(`${RECEIVED_SELECT} WHERE v.id = $1`, [id]);
    return (await this.withTimeLeft(rows))[0];
  }
}

const CONFLICT_OF: Record<
  DeliveryState,
  'DISPATCH_ALREADY_ACCEPTED' | 'DISPATCH_ALREADY_DONE' | 'DISPATCH_ALREADY_REFUSED' | 'DISPATCH_WITHDRAWN'
> = {
  received: 'DISPATCH_ALREADY_ACCEPTED',
  accepted: 'DISPATCH_ALREADY_ACCEPTED',
  done: 'DISPATCH_ALREADY_DONE',
  refused: 'DISPATCH_ALREADY_REFUSED',
  withdrawn: 'DISPATCH_WITHDRAWN',
};

interface SqlValue {
  sql: string;
  value: unknown;
}

function isSqlValue(v: unknown): v is SqlValue {
  return !!v && typeof v === 'object' && 'sql' in v && 'value' in v;
}

function plain(set: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).map(([k, v]) => [k, isSqlValue(v) ? v.value : v]));
}
