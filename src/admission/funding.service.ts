import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { rowsOf } from '../common/sql.js';
import { Clock } from '../common/clock.js';
import {
  AdmittedItem,
  AdmittedItemCommunity,
  FundingTransfer,
  type CommunityFunding,
} from './admitted-item.entities.js';
import type { RegisterTransferDto } from './dto/funding.dto.js';
import { RegisterService } from './register.service.js';
import { RegularizationService } from './regularization.service.js';

/**
 * Funding before entry (费随事转): the department registers a transfer per community, finance confirms it and the
 * item enters that community; at the end of the funding window the communities still unfunded lapse. An emergency
 * item (seed 002 §11) is in force at once and settles the same way after the fact; unsettled when its window
 * closes, it is flagged overdue — still in force, still owed, listed for the office and finance — because the
 * work was done and the community is owed for it, and finance may still confirm the money late.
 */
@Injectable()
export class FundingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly register: RegisterService,
    private readonly regularization: RegularizationService,
  ) {}

  /**
   * The funding window closed: communities whose funding was not confirmed do not get the item (an emergency
   * item they already have: its funding there is overdue). Answers how many communities.
   */
  async lapseUnfunded(m: EntityManager, itemId: string, now: Date, actor: Actor = {}): Promise<number> {
    const item = await m.findOneByOrFail(AdmittedItem, { id: itemId });
    if (item.emergency) return this.flagOverdue(m, itemId, actor);
    const res = await m.query(
      `UPDATE admitted_item_community SET funding_status = 'lapsed', lapsed_at = $2 WHERE item_id = $1 AND funding_status = 'awaiting' RETURNING community_id`,
      [itemId, now],
    );
    const lapsed = rowsOf<{ community_id: string }>(res).map((r) => r.community_id);
    if (lapsed.length) {
      await this.audit.record(m, actor, {
        action: 'item.lapsed',
        entityType: 'admitted_item',
        entityId: itemId,
        data: { communityIds: lapsed },
      });
      // An emergency item this one was to replace there cannot wait for it any longer.
      await this.regularization.replaced(m, actor, itemId, lapsed, now, true);
    }
    return lapsed.length;
  }

  /** seed 002 §11: an emergency item's funding not confirmed within the window is overdue, not lapsed. */
  private async flagOverdue(m: EntityManager, itemId: string, actor: Actor): Promise<number> {
    const res = await m.query(
      `UPDATE admitted_item_community SET funding_status = 'overdue' WHERE item_id = $1 AND funding_status = 'awaiting' RETURNING community_id`,
      [itemId],
    );
    const overdue = rowsOf<{ community_id: string }>(res).map((r) => r.community_id);
    if (overdue.length)
      await this.audit.record(m, actor, {
        action: 'funding.overdue',
        entityType: 'admitted_item',
        entityId: itemId,
        data: { communityIds: overdue },
      });
    return overdue.length;
  }

  /**
   * The department registers a transfer for one community; the same idempotency key answers the same transfer,
   * and the key sent again with another community, amount, account or reference is refused (409).
   */
  async registerTransfer(actor: Actor, itemId: string, dto: RegisterTransferDto): Promise<FundingTransfer> {
    try {
      return await this.registerTransferOnce(actor, itemId, dto);
    } catch (e) {
      // The same key registered by a request at the same moment (for another community, say): answer that one.
      const pg = (e as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (pg?.code === '23505' && pg.constraint === 'ux_funding_transfer_key') {
        const existing = await this.dataSource.manager.findOneBy(FundingTransfer, {
          itemId,
          idempotencyKey: dto.idempotencyKey,
        });
        if (existing) return sameTransfer(existing, dto);
      }
      throw e;
    }
  }

  private async registerTransferOnce(
    actor: Actor,
    itemId: string,
    dto: RegisterTransferDto,
  ): Promise<FundingTransfer> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const item = await m.findOneBy(AdmittedItem, { id: itemId });
      if (!item || item.departmentId !== p.unitId) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
      const community = await m.findOne(AdmittedItemCommunity, {
        where: { itemId, communityId: dto.communityId },
        lock: { mode: 'pessimistic_write' },
      });
      // Looked up after the community's lock: a registration with this key that held it has committed by now.
      const existing = await m.findOneBy(FundingTransfer, { itemId, idempotencyKey: dto.idempotencyKey });
      if (existing) return sameTransfer(existing, dto);
      if (!community || !OWED.includes(community.fundingStatus))
        throw new AppError('FUNDING_NOT_DUE', { status: community?.fundingStatus ?? 'not a target' });
      if (BigInt(dto.amountFen) !== BigInt(community.fundingDueFen)) {
        throw new AppError('FUNDING_AMOUNT_MISMATCH', {
          dueFen: Number(community.fundingDueFen),
          givenFen: dto.amountFen,
        });
      }
      const transfer = await m.save(
        m.create(FundingTransfer, {
          itemId,
          communityId: dto.communityId,
          amountFen: String(dto.amountFen),
          account: dto.account,
          reference: dto.reference,
          idempotencyKey: dto.idempotencyKey,
          registeredBy: p.userId,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'funding.registered',
        entityType: 'funding_transfer',
        entityId: transfer.id,
        data: { itemId, communityId: dto.communityId, amountFen: dto.amountFen },
      });
      return transfer;
    });
  }

  /** Finance confirms the money arrived in the community's account: from now the item is in force there. */
  async confirmTransfer(actor: Actor, transferId: string): Promise<FundingTransfer> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const transfer = await m.findOne(FundingTransfer, {
        where: { id: transferId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!transfer) throw new AppError('TRANSFER_NOT_FOUND');
      if (!(await this.scope.unitInArea(m, transfer.communityId, p.scopePath)))
        throw new AppError('TRANSFER_NOT_FOUND');
      if (transfer.confirmedAt) return transfer;
      const community = await m.findOneOrFail(AdmittedItemCommunity, {
        where: { itemId: transfer.itemId, communityId: transfer.communityId },
        lock: { mode: 'pessimistic_write' },
      });
      if (community.fundingStatus === 'lapsed') throw new AppError('FUNDING_LAPSED');
      if (!OWED.includes(community.fundingStatus))
        throw new AppError('FUNDING_NOT_DUE', { status: community.fundingStatus });
      const now = this.clock.now();
      // An emergency item is in force there already: the money settles it, it does not enter again.
      const entering = !community.enteredAt;
      await m.update(FundingTransfer, { id: transferId }, { confirmedBy: p.userId, confirmedAt: now });
      await m.update(
        AdmittedItemCommunity,
        { itemId: transfer.itemId, communityId: transfer.communityId },
        { fundingStatus: 'confirmed', enteredAt: community.enteredAt ?? now },
      );
      await this.audit.record(m, actor, {
        action: 'funding.confirmed',
        entityType: 'funding_transfer',
        entityId: transferId,
        data: {
          itemId: transfer.itemId,
          communityId: transfer.communityId,
          ...(community.fundingStatus === 'overdue' ? { late: true } : {}),
        },
      });
      if (entering) await this.register.recordEntered(m, actor, transfer.itemId, [transfer.communityId], now);
      return m.findOneByOrFail(FundingTransfer, { id: transferId });
    });
  }
}

/** The states in which a community is owed its funding: awaited, or (an emergency item's) overdue. */
const OWED: CommunityFunding[] = ['awaiting', 'overdue'];

/** The transfer a key already stands for, if the request is the same one sent again; else 409. */
function sameTransfer(existing: FundingTransfer, dto: RegisterTransferDto): FundingTransfer {
  const same =
    existing.communityId === dto.communityId &&
    BigInt(existing.amountFen) === BigInt(dto.amountFen) &&
    existing.account === dto.account &&
    existing.reference === dto.reference;
  if (!same)
    throw new AppError('IDEMPOTENCY_KEY_REUSED', {
      transferId: existing.id,
      communityId: existing.communityId,
    });
  return existing;
}
