import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { isBlank } from '../common/validation.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { Dispatch, type DeliveryState } from './dispatch.entities.js';
import { toDelivery, type DeliveryRow } from './dispatch-rows.js';
import { endOpenDispute } from './dispute.service.js';
import type { DispatchDto } from './dto/dispatch-responses.dto.js';
import type { DispatchListQuery, WithdrawDispatchDto } from './dto/dispatch.dto.js';

/** A piece as a withdrawal reads it. */
interface PieceRow {
  id: string;
  community_id: string;
  state: DeliveryState;
  dispute_state: string | null;
  dispute_instance_id: string | null;
}

/** Which pieces a withdrawal names: these communities', or (none named) every piece not done or withdrawn. */
interface Selection {
  communityIds?: string[];
  note?: string;
}

/** A withdrawal saw a dispute open or end between its reading and its writing: it starts again on a fresh read. */
class DisputeMoved extends Error {}
const WITHDRAW_ATTEMPTS = 5;

const openDispute = (x: PieceRow) =>
  (x.dispute_state === 'street' || x.dispute_state === 'office') && !!x.dispute_instance_id;

/**
 * The department's own dispatches (派单, DESIGN §2): its list, one dispatch with every community's state and
 * coverage, and its withdrawal — which ends any open dispute over a withdrawn piece.
 */
@Injectable()
export class DispatchesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly runtime: WorkflowRuntime,
  ) {}

  /** The department's own dispatches, newest first, each with its per-community counts and its refusals (`refused`: only those some community refused). */
  async list(p: Principal, q: DispatchListQuery): Promise<Page<DispatchDto>> {
    const page = pageRequest(q);
    const qb = this.dataSource
      .getRepository(Dispatch)
      .createQueryBuilder('d')
      .where('d.department_id = :unit', { unit: p.unitId });
    if (q.refused !== undefined)
      qb.andWhere(
        `${q.refused ? '' : 'NOT '}EXISTS (SELECT 1 FROM dispatch_delivery v WHERE v.dispatch_id = d.id AND v.state = 'refused')`,
      );
    const [rows, total] = await qb
      .orderBy('d.sent_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .skip(page.offset)
      .take(page.pageSize)
      .getManyAndCount();
    const items = await this.views(rows, { refusedOnly: true });
    return toPage(items, total, page);
  }

  /** One of the department's dispatches with every community's state; another unit's answers 404. */
  async get(p: Principal, id: string): Promise<DispatchDto> {
    const d = await this.dataSource.getRepository(Dispatch).findOneBy({ id, departmentId: p.unitId });
    if (!d) throw new AppError('DISPATCH_NOT_FOUND');
    return (await this.views([d], { refusedOnly: false }))[0];
  }

  /**
   * Withdraws the work from every community not done (or from the communities named): a named community whose
   * piece is done answers 409 and nothing changes; named pieces already withdrawn are left as they are (409 when
   * every named one is), so a withdrawal sent again after a part of it failed finishes. A piece whose refusal is contested (with
   * the street or the district office) has its dispute end with it: its case is terminated in the same
   * transaction as the piece's withdrawal (open tasks cancelled, time limits stopped), audited. Each case ends
   * in a step of its own, so a withdrawal ending several disputes writes one transaction per case, the last one
   * with every other piece.
   */
  async withdraw(actor: Actor, id: string, dto: WithdrawDispatchDto): Promise<DispatchDto> {
    const p = actor.principal!;
    const withdrawn = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withdrawOnce(actor, id, dto, withdrawn);
        return this.get(p, id);
      } catch (e) {
        if (!(e instanceof DisputeMoved)) throw e;
        if (attempt >= WITHDRAW_ATTEMPTS) throw new AppError('CONCURRENT_UPDATE');
      }
    }
  }

  /** One try of a withdrawal; `withdrawn`: communities this withdrawal has withdrawn already (in earlier steps). */
  private async withdrawOnce(
    actor: Actor,
    id: string,
    dto: WithdrawDispatchDto,
    withdrawn: Set<string>,
  ): Promise<void> {
    const remaining = (): Selection => ({
      communityIds: dto.communityIds?.filter((c) => !withdrawn.has(c)),
      note: dto.note,
    });
    // What to withdraw, read without locks: every write below reads it again under its locks.
    const plan = await this.choose(this.dataSource.manager, actor.principal!, id, remaining(), false);
    const disputed = plan.filter(openDispute);
    if (!disputed.length) {
      await this.dataSource.transaction((m) => this.write(m, actor, id, remaining(), null));
      return;
    }
    // A case the office suspended is in its hands: nothing is withdrawn until it resumes it.
    const suspended: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM workflow_instance WHERE id = ANY($1::uuid[]) AND status = 'suspended'`,
      [disputed.map((x) => x.dispute_instance_id)],
    );
    const held = disputed.find((x) => suspended.some((s) => s.id === x.dispute_instance_id));
    if (held) throw new AppError('DISPATCH_DISPUTE_SUSPENDED', { communityId: held.community_id });
    const reason = `部门撤回了这项工作${isBlank(dto.note) ? '' : `：${dto.note!.trim()}`}`;
    for (const [i, piece] of disputed.entries()) {
      const last = i === disputed.length - 1;
      const selection = last ? remaining() : { communityIds: [piece.community_id], note: dto.note };
      try {
        await this.runtime.step(piece.dispute_instance_id!, actor, async (ctx) => {
          await this.write(ctx.manager, actor, id, selection, { piece, reason });
          ctx.status = 'terminated';
          ctx.live.stop();
          // As when the office terminates a case: a ruling still being recorded (its service step failed, an
          // incident) is not run after the piece's dispute ended, and its incident closes with the case.
          const dropped = ctx.live.pendingServices.splice(0).map((s) => s.elementId);
          if (dropped.length)
            await ctx.manager.query(
              `UPDATE workflow_incident SET resolved_at = $3
                WHERE instance_id = $1 AND element_id = ANY($2::varchar[]) AND timer_id IS NULL AND resolved_at IS NULL`,
              [piece.dispute_instance_id, dropped, ctx.now],
            );
          ctx.history.push({
            action: 'instance.terminated',
            comment: reason,
            ...(dropped.length ? { data: { discardedSteps: dropped } } : {}),
          });
        });
      } catch (e) {
        // The case moved on while its step ran (the street referred it, its time ran out, the office suspended
        // it): the withdrawal reads again and goes on from where it is, as if it had come a moment later.
        if (e instanceof AppError && e.code === 'CONCURRENT_UPDATE') throw new DisputeMoved();
        if (!(e instanceof AppError) || e.code !== 'INSTANCE_NOT_ACTIVE') throw e;
        // The office suspended the case: it holds it. Ruled or ended meanwhile: the piece is no longer contested.
        if ((e.details as { status?: string } | undefined)?.status === 'suspended')
          throw new AppError('DISPATCH_DISPUTE_SUSPENDED', { communityId: piece.community_id });
        throw new DisputeMoved();
      }
      for (const c of selection.communityIds ?? [piece.community_id]) withdrawn.add(c);
    }
  }

  /**
   * The pieces a withdrawal takes (`lock`: locked until the transaction ends): 404 for another department's
   * dispatch or a community it did not reach, 409 for a named piece done, or nothing left (every piece named
   * withdrawn already; every piece withdrawn already; or every piece done or withdrawn, some done).
   */
  private async choose(
    m: EntityManager,
    p: Principal,
    id: string,
    s: Selection,
    lock: boolean,
  ): Promise<PieceRow[]> {
    const d = await m.findOneBy(Dispatch, { id, departmentId: p.unitId });
    if (!d) throw new AppError('DISPATCH_NOT_FOUND');
    const pieces: PieceRow[] = await m.query(
      `SELECT id, community_id, state, dispute_state, dispute_instance_id FROM dispatch_delivery
        WHERE dispatch_id = $1 ORDER BY id ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!s.communityIds) {
      const chosen = pieces.filter((x) => x.state !== 'done' && x.state !== 'withdrawn');
      if (!chosen.length) {
        const done = pieces.filter((x) => x.state === 'done').length;
        // Withdrawn already only when it was; work done everywhere (or partly) has nothing left to take back.
        if (!done) throw new AppError('DISPATCH_ALREADY_WITHDRAWN');
        throw new AppError('DISPATCH_NOTHING_TO_WITHDRAW', { done, withdrawn: pieces.length - done });
      }
      return chosen;
    }
    const byCommunity = new Map(pieces.map((x) => [x.community_id, x]));
    const missing = s.communityIds.filter((c) => !byCommunity.has(c));
    if (missing.length)
      throw new AppError('DISPATCH_COMMUNITY_NOT_FOUND', {
        communityIds: missing.slice(0, 20),
        more: Math.max(0, missing.length - 20),
      });
    const chosen = s.communityIds.map((c) => byCommunity.get(c)!);
    const done = chosen.find((x) => x.state === 'done');
    if (done) throw new AppError('DISPATCH_ALREADY_DONE', { communityId: done.community_id });
    // A named piece withdrawn already is left as it is; 409 only when every named one is: a withdrawal whose
    // earlier cases ended before a later one failed (one transaction per case) finishes when sent again.
    const open = chosen.filter((x) => x.state !== 'withdrawn');
    if (!open.length)
      throw new AppError('DISPATCH_ALREADY_WITHDRAWN', { communityId: chosen[0].community_id });
    return open;
  }

  /**
   * Withdraws the pieces chosen, under their locks; `ending`: the piece whose dispute ends in this transaction
   * (a step of its case). Any other piece contested meanwhile, or that piece's dispute gone: DisputeMoved.
   */
  private async write(
    m: EntityManager,
    actor: Actor,
    id: string,
    s: Selection,
    ending: { piece: PieceRow; reason: string } | null,
  ): Promise<void> {
    const chosen = await this.choose(m, actor.principal!, id, s, true);
    const stillOpen = (x: PieceRow) =>
      openDispute(x) && x.dispute_instance_id === ending?.piece.dispute_instance_id;
    if (chosen.some((x) => openDispute(x) && x.id !== ending?.piece.id)) throw new DisputeMoved();
    if (ending && !chosen.some((x) => x.id === ending.piece.id && stillOpen(x))) throw new DisputeMoved();
    await m.query(
      `UPDATE dispatch_delivery SET state = 'withdrawn', withdrawn_at = $2, withdraw_note = $3 WHERE id = ANY($1::uuid[])`,
      [chosen.map((x) => x.id), this.clock.now(), s.note ?? null],
    );
    if (ending)
      await endOpenDispute(
        m,
        this.audit,
        actor,
        ending.piece.id,
        ending.piece.dispute_instance_id!,
        ending.reason,
      );
    await this.audit.record(m, actor, {
      action: 'dispatch.withdrawn',
      entityType: 'dispatch',
      entityId: id,
      data: { communityIds: chosen.map((x) => x.community_id), note: s.note ?? null },
    });
  }

  /** Dispatches with their department's name, the item's number, per-state counts and deliveries. */
  private async views(rows: Dispatch[], o: { refusedOnly: boolean }): Promise<DispatchDto[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const meta: { id: string; department_name: string; admission_number: string | null }[] =
      await this.dataSource.query(
        `SELECT d.id, u.name AS department_name, i.admission_number
           FROM dispatch d JOIN org_unit u ON u.id = d.department_id
           LEFT JOIN admitted_item i ON i.id = d.admitted_item_id
          WHERE d.id = ANY($1::uuid[])`,
        [ids],
      );
    const counts: Record<string, string>[] = await this.dataSource.query(
      `SELECT dispatch_id, count(*) AS total, count(*) FILTER (WHERE covered) AS covered,
              count(*) FILTER (WHERE state = 'received') AS received, count(*) FILTER (WHERE state = 'accepted') AS accepted,
              count(*) FILTER (WHERE state = 'done') AS done, count(*) FILTER (WHERE state = 'refused') AS refused,
              count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn
         FROM dispatch_delivery WHERE dispatch_id = ANY($1::uuid[]) GROUP BY dispatch_id`,
      [ids],
    );
    const deliveries: DeliveryRow[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT v.*, c.name AS community_name, c.code AS community_code,
                row_number() OVER (PARTITION BY v.dispatch_id ORDER BY v.refused_at DESC NULLS LAST, c.code) AS n
           FROM dispatch_delivery v JOIN org_unit c ON c.id = v.community_id
          WHERE v.dispatch_id = ANY($1::uuid[]) ${o.refusedOnly ? `AND v.state = 'refused'` : ''}) x
        WHERE ${o.refusedOnly ? 'n <= 50' : 'true'}
        ORDER BY ${o.refusedOnly ? 'refused_at DESC,' : ''} community_code, id`,
      [ids],
    );
    const metaOf = new Map(meta.map((x) => [x.id, x]));
    const countOf = new Map(counts.map((x) => [x.dispatch_id, x]));
    return rows.map((d) => {
      const c = countOf.get(d.id) ?? {};
      const n = (k: string) => Number(c[k] ?? 0);
      return {
        id: d.id,
        kind: d.kind,
        title: d.title,
        content: d.content,
        details: d.details,
        dueDate: d.dueDate,
        expectedHours: Number(d.expectedHours),
        admittedItemId: d.admittedItemId,
        admissionNumber: metaOf.get(d.id)?.admission_number ?? null,
        departmentId: d.departmentId,
        departmentName: metaOf.get(d.id)?.department_name ?? '',
        sentAt: d.sentAt.toISOString(),
        counts: {
          total: n('total'),
          covered: n('covered'),
          uncovered: n('total') - n('covered'),
          received: n('received'),
          accepted: n('accepted'),
          done: n('done'),
          refused: n('refused'),
          withdrawn: n('withdrawn'),
        },
        deliveries: deliveries.filter((x) => x.dispatch_id === d.id).map(toDelivery),
      };
    });
  }
}
