import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { dayStartCst, nextDay } from '../common/china-time.js';
import { rowsOf } from '../common/sql.js';
import { AdmittedItem } from './admitted-item.entities.js';

/**
 * 突发事件转正常准入: how a regular item takes an emergency item's place, community by community (seed 002 §11).
 * The emergency item stays in force in each community until the regular item that replaces it is in force
 * there — it entered (funding confirmed, or none due) and its period has begun — or until the regular item can
 * never be in force there (its funding lapsed there). Communities the regular item does not cover keep the
 * emergency item until its own end. So no community is left without the work in between, and none carries
 * both at once.
 */
@Injectable()
export class RegularizationService {
  constructor(private readonly audit: AuditService) {}

  /**
   * A regular item regularizing `emergencyItemId` was signed: the emergency item is linked to it, and is kept
   * (its period extended to the regular item's end) in the communities the regular item covers, until it
   * enters or lapses there; elsewhere it ends at its own end. An emergency item already ended is only linked.
   */
  async begin(
    m: EntityManager,
    actor: Actor,
    emergencyItemId: string,
    regular: AdmittedItem,
    regularCommunityIds: string[],
    now: Date,
  ): Promise<void> {
    const e = await m.findOne(AdmittedItem, {
      where: { id: emergencyItemId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!e) return;
    const ownEnd = dayStartCst(nextDay(e.endDate));
    const open = !e.exitedAt && ownEnd > now;
    // An item already past its days (its exit not run yet) ends at its own end, not at the regular one's signing.
    const closedAt = ownEnd < now ? ownEnd : now;
    await m.update(
      AdmittedItem,
      { id: e.id },
      {
        regularizedByItemId: regular.id,
        ...(open && regular.endDate > e.endDate ? { endDate: regular.endDate } : {}),
      },
    );
    // Communities the regular item does not cover: the emergency item ends there at its own end.
    await m.query(
      `UPDATE admitted_item_community SET exited_at = $3
        WHERE item_id = $1 AND exited_at IS NULL AND NOT (community_id = ANY($2::uuid[]))`,
      [e.id, regularCommunityIds, open ? ownEnd : closedAt],
    );
    if (!open)
      await m.query(
        'UPDATE admitted_item_community SET exited_at = $2 WHERE item_id = $1 AND exited_at IS NULL',
        [e.id, closedAt],
      );
    await this.audit.record(m, actor, {
      action: 'item.regularizing',
      entityType: 'admitted_item',
      entityId: e.id,
      data: { regularizedByItemId: regular.id, admissionNumber: regular.admissionNumber, keptInForce: open },
    });
    await this.closeIfDone(m, actor, e.id, regular.admissionNumber);
  }

  /**
   * The regular item entered these communities (or, with `lapsed`, its funding lapsed there): the emergency
   * item it replaces ends there — on entry, once the regular item's period has begun; on a lapse, now.
   */
  async replaced(
    m: EntityManager,
    actor: Actor,
    regularItemId: string,
    communityIds: string[],
    now: Date,
    lapsed = false,
  ): Promise<void> {
    if (!communityIds.length) return;
    const [link] = rowsOf<{ emergency_id: string; start_date: string; admission_number: string }>(
      await m.query(
        `SELECT e.id AS emergency_id, to_char(r.start_date, 'YYYY-MM-DD') AS start_date, r.admission_number
           FROM admitted_item r JOIN admitted_item e ON e.regularized_by_item_id = r.id WHERE r.id = $1`,
        [regularItemId],
      ),
    );
    if (!link) return;
    const startsAt = dayStartCst(link.start_date);
    const at = lapsed || startsAt <= now ? now : startsAt;
    const ended = rowsOf<{ community_id: string }>(
      await m.query(
        `UPDATE admitted_item_community SET exited_at = $3
          WHERE item_id = $1 AND community_id = ANY($2::uuid[]) AND exited_at IS NULL RETURNING community_id`,
        [link.emergency_id, communityIds, at],
      ),
    ).map((r) => r.community_id);
    if (ended.length)
      await this.audit.record(m, actor, {
        action: 'item.exited-community',
        entityType: 'admitted_item',
        entityId: link.emergency_id,
        data: {
          communityIds: ended,
          exitedAt: at.toISOString(),
          reason: lapsed ? 'regular item lapsed there' : 'regular item in force there',
          regularizedByItemId: regularItemId,
        },
      });
    await this.closeIfDone(m, actor, link.emergency_id, link.admission_number);
  }

  /** Once every community has its end, the emergency item as a whole ends at the last of them. */
  private async closeIfDone(m: EntityManager, actor: Actor, itemId: string, regularNumber: string) {
    const [left] = rowsOf<{ open: number; last: Date | null }>(
      await m.query(
        `SELECT count(*) FILTER (WHERE exited_at IS NULL)::int AS open, max(exited_at) AS last
           FROM admitted_item_community WHERE item_id = $1`,
        [itemId],
      ),
    );
    if (left.open > 0 || !left.last) return;
    const res = await m
      .createQueryBuilder()
      .update(AdmittedItem)
      .set({ exitedAt: left.last, exitReason: `转为正常准入 ${regularNumber}` })
      .where('id = :id AND exited_at IS NULL', { id: itemId })
      .execute();
    if (res.affected)
      await this.audit.record(m, actor, {
        action: 'item.exited',
        entityType: 'admitted_item',
        entityId: itemId,
        data: { reason: 'regularized', exitedAt: left.last.toISOString() },
      });
  }
}
