import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import { Role } from '../auth/permissions.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { AdmittedItem, AdmittedItemCommunity } from './admitted-item.entities.js';
import type { EvaluationDto, ExitProposalDto } from './dto/exit.dto.js';
import { evaluationPeriodDays } from './evaluation-period.js';
import { itemsInForce } from './in-force.js';
import { ExitProposal, ItemEvaluation, type ExitOrigin } from './exit.entities.js';

/**
 * 准入与退出相结合: residents' evaluations and exit proposals, decided by workflows/exit.bpmn (department and
 * communities determine jointly, the principal leader approves, the office records: seed 002 §5).
 */
@Injectable()
export class ExitService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
  ) {}

  /**
   * A committee records its residents' evaluation of an item in force in its community today, for a period that
   * has begun and in which the item was in force there (else 400 EVALUATION_NOT_IN_FORCE naming the field). Below
   * the threshold (EXIT_SATISFACTION_THRESHOLD, default 60%) an exit proposal for that community opens by itself.
   */
  async recordEvaluation(actor: Actor, itemId: string, dto: EvaluationDto) {
    const p = actor.principal!;
    if (dto.satisfied > dto.respondents) {
      throw new AppError('VALIDATION_FAILED', [
        { field: 'satisfied', problems: ['满意人数不能多于参评人数。Satisfied cannot exceed respondents.'] },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      await this.evaluable(m, itemId, p.unitId, dto.period);
      const satisfaction = Math.round((dto.satisfied / dto.respondents) * 10000) / 100;
      const evaluation = await m.save(
        m.create(ItemEvaluation, {
          itemId,
          communityId: p.unitId,
          period: dto.period,
          respondents: dto.respondents,
          satisfied: dto.satisfied,
          satisfaction: satisfaction.toFixed(2),
          recordedBy: p.userId,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'item.evaluated',
        entityType: 'admitted_item',
        entityId: itemId,
        data: { communityId: p.unitId, satisfaction },
      });
      let proposal: ExitProposal | null = null;
      if (
        satisfaction < this.config.env.EXIT_SATISFACTION_THRESHOLD &&
        !(await this.openProposal(m, itemId, p.unitId))
      ) {
        proposal = await this.open(
          m,
          actor,
          itemId,
          p.unitId,
          'evaluation',
          `居民满意度 ${satisfaction}%，低于 ${this.config.env.EXIT_SATISFACTION_THRESHOLD}%（${dto.period}）`,
        );
      }
      return { ...evaluation, satisfaction, exitProposal: proposal };
    });
  }

  /** An exit proposed by a committee (for its community), the department (its item) or the office (its area). */
  async propose(actor: Actor, itemId: string, dto: ExitProposalDto): Promise<ExitProposal> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const item = await m.findOneBy(AdmittedItem, { id: itemId });
      if (!item) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
      let origin: ExitOrigin;
      let communityId: string | null = dto.communityId ?? null;
      if (p.roles.includes(Role.COMMITTEE)) {
        origin = 'community';
        communityId = p.unitId;
        await this.inForceIn(m, itemId, p.unitId);
      } else if (item.departmentId === p.unitId) {
        origin = 'department';
      } else if (p.roles.includes(Role.OFFICE)) {
        if (!(await this.scope.unitInArea(m, item.departmentId, p.scopePath)))
          throw new AppError('ADMITTED_ITEM_NOT_FOUND');
        origin = 'office';
      } else {
        throw new AppError('ADMITTED_ITEM_NOT_FOUND');
      }
      if (communityId && origin !== 'community') await this.inForceIn(m, itemId, communityId);
      if (await this.openProposal(m, itemId, communityId)) throw new AppError('EXIT_ALREADY_PROPOSED');
      return this.open(m, actor, itemId, communityId, origin, dto.reason);
    });
  }

  private async open(
    m: EntityManager,
    actor: Actor,
    itemId: string,
    communityId: string | null,
    origin: ExitOrigin,
    reason: string,
  ): Promise<ExitProposal> {
    const item = await m.findOneByOrFail(AdmittedItem, { id: itemId });
    // The item's exit: every community where it is or will be in force, from today to its end.
    const communities = communityId
      ? [communityId]
      : (await itemsInForce(m, { on: { from: this.clock.today(), to: item.endDate }, itemIds: [itemId] }))
          .map((c) => c.communityId)
          .sort();
    // An item in force nowhere from today (its end date passed, every community left) has nothing to exit.
    if (!communities.length) throw new AppError('ITEM_NOT_IN_FORCE');
    const proposal = await m.save(
      m.create(ExitProposal, {
        itemId,
        communityId,
        origin,
        reason,
        proposedBy: actor.principal?.userId ?? null,
        status: 'open',
      }),
    );
    const started = await this.runtime.start(
      actor,
      {
        processId: 'exit',
        businessKey: proposal.id,
        ownerUnitId: item.departmentId,
        variables: { proposalId: proposal.id, itemId, communities },
      },
      m,
    );
    await m.update(ExitProposal, { id: proposal.id }, { instanceId: started.id });
    await this.audit.record(m, actor, {
      action: 'exit.proposed',
      entityType: 'admitted_item',
      entityId: itemId,
      data: { proposalId: proposal.id, origin, communityId },
    });
    return m.findOneByOrFail(ExitProposal, { id: proposal.id });
  }

  /** The joint determination: the department agrees, and a majority of the communities concerned. */
  weigh(variables: Record<string, unknown>): void {
    const decisions = (variables.decisions ?? {}) as Record<string, string>;
    const tally = ((variables.countersign ?? {}) as Record<string, { approved?: boolean }>)
      .communityDetermine;
    variables.joint = { agreed: decisions.deptDetermine === 'approve' && tally?.approved === true };
  }

  /**
   * Approved by the principal leader and recorded by the office (批准备案, seed 002 §5): from now the item leaves
   * the community (or every community), each register entry it leaves carrying the exit's reason; nothing is deleted.
   */
  async apply(m: EntityManager, proposalId: string, now: Date, actor: Actor = {}): Promise<void> {
    const proposal = await m.findOneByOrFail(ExitProposal, { id: proposalId });
    if (proposal.communityId) {
      await m.query(
        'UPDATE admitted_item_community SET exited_at = $3, exit_reason = $4 WHERE item_id = $1 AND community_id = $2 AND exited_at IS NULL',
        [proposal.itemId, proposal.communityId, now, proposal.reason],
      );
    } else {
      await m.query(
        'UPDATE admitted_item_community SET exited_at = $2, exit_reason = $3 WHERE item_id = $1 AND exited_at IS NULL',
        [proposal.itemId, now, proposal.reason],
      );
      await m.update(
        AdmittedItem,
        { id: proposal.itemId },
        { exitedAt: now, exitReason: proposal.reason.slice(0, 200) },
      );
    }
    await m.update(ExitProposal, { id: proposalId }, { status: 'exited', decidedAt: now });
    await this.audit.record(m, actor, {
      action: 'item.exited',
      entityType: 'admitted_item',
      entityId: proposal.itemId,
      data: { proposalId, communityId: proposal.communityId },
    });
  }

  async keep(m: EntityManager, proposalId: string, now: Date, actor: Actor = {}): Promise<void> {
    await m.update(ExitProposal, { id: proposalId }, { status: 'kept', decidedAt: now });
    await this.audit.record(m, actor, {
      action: 'exit.kept',
      entityType: 'exit_proposal',
      entityId: proposalId,
    });
  }

  /**
   * The office terminated (终止) the exit case: the proposal ends as kept (the item stays where it is in force),
   * with the office's reason in the audit trail, so that a new proposal may be made.
   */
  async terminated(m: EntityManager, proposalId: string, reason: string | null, now: Date, actor: Actor) {
    const res = await m.update(
      ExitProposal,
      { id: proposalId, status: 'open' },
      { status: 'kept', decidedAt: now },
    );
    if (!res.affected) return;
    await this.audit.record(m, actor, {
      action: 'exit.terminated',
      entityType: 'exit_proposal',
      entityId: proposalId,
      data: { reason },
    });
  }

  private async openProposal(m: EntityManager, itemId: string, communityId: string | null): Promise<boolean> {
    const rows = await m.query(
      `SELECT 1 FROM exit_proposal WHERE item_id = $1 AND status = 'open' AND (community_id IS NOT DISTINCT FROM $2 OR community_id IS NULL OR $2::uuid IS NULL) LIMIT 1`,
      [itemId, communityId],
    );
    return rows.length > 0;
  }

  /**
   * Item 3 (issue 11): residents evaluate an item in force in their community today (in-force.ts), for a period
   * that has begun and in which the item was in force there; each problem named by its field (`id`: the item,
   * `period`), all at once. Not one of the item's communities: 404, as a missing item.
   */
  private async evaluable(
    m: EntityManager,
    itemId: string,
    communityId: string,
    period: string,
  ): Promise<void> {
    const row = await m.findOneBy(AdmittedItemCommunity, { itemId, communityId });
    if (!row) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
    const days = evaluationPeriodDays(period);
    if (!days)
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'period',
          problems: ['评议期间应为 YYYY、YYYYQn 或 YYYY-MM。The period is YYYY, YYYYQn or YYYY-MM.'],
        },
      ]);
    const today = this.clock.today();
    const inForce = async (on: string | { from: string; to: string }) =>
      (await itemsInForce(m, { on, itemIds: [itemId], communityIds: [communityId] })).length > 0;
    const problems: { field: string; problems: string[] }[] = [];
    const inForceToday = await inForce(today);
    if (!inForceToday)
      problems.push({
        field: 'id',
        problems: [
          '该事项今天不在本社区实施（尚未生效、经费未到位、已退出或已期满），不能评议；如它仍在本社区开展，请向领导小组办公室反映。The item is not in force in your community today (not entered yet, unfunded, exited or ended), so it cannot be evaluated; if it is still carried out in your community, tell the leading group’s office.',
        ],
      });
    // In force on a day of the period up to today (today's answer serves while the period runs on).
    const begun = days.from <= today;
    const inForceThen =
      begun &&
      ((inForceToday && days.to >= today) ||
        (await inForce({ from: days.from, to: days.to < today ? days.to : today })));
    if (!begun)
      problems.push({
        field: 'period',
        problems: [
          `评议期间 ${period} 尚未开始（自 ${days.from} 起），请评议已经开始的期间。The period ${period} has not begun (it starts on ${days.from}); evaluate a period that has begun.`,
        ],
      });
    else if (!inForceThen)
      problems.push({
        field: 'period',
        problems: [
          `该事项在 ${period}（${days.from} 至 ${days.to}）未在本社区实施过，请选择它在本社区实施期间内的评议期间。The item was not in force in your community during ${period} (${days.from} to ${days.to}); choose a period in which it was.`,
        ],
      });
    if (problems.length) throw new AppError('EVALUATION_NOT_IN_FORCE', problems);
  }

  /** The item must be in force in the community today (in-force.ts); else 404 (not its community) or 409. */
  private async inForceIn(m: EntityManager, itemId: string, communityId: string): Promise<void> {
    const row = await m.findOneBy(AdmittedItemCommunity, { itemId, communityId });
    if (!row) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
    const inForce = await itemsInForce(m, {
      on: this.clock.today(),
      itemIds: [itemId],
      communityIds: [communityId],
    });
    if (!inForce.length) throw new AppError('ITEM_NOT_IN_FORCE');
  }
}
