import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { addWorkingDays } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { isBlank } from '../common/validation.js';
import { rowsOf } from '../common/sql.js';
import { WorkflowRegistry } from '../workflow/workflow.registry.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import type { DisputeState } from './dispatch.entities.js';
import type { ContestDto } from './dto/dispatch.dto.js';

/** The street office's time to mediate (seed 002 §4: 街道办事处协调), in working days. */
export const STREET_MEDIATION_WORKING_DAYS = 5;

/**
 * 拒绝争议 (seed 002 §4): the department contests a committee's refusal; the street office mediates within its
 * time limit; unsettled or out of time, the district leading-group office rules (workflows/refusal-dispute.bpmn).
 */
@Injectable()
export class DisputeService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly runtime: WorkflowRuntime,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const r = this.registry;
    r.requireProcess('refusalDispute');
    // The street office settles (refusal upheld or overturned) or hands it to the district office.
    r.registerForm('dispute-mediation', {
      decisions: ['uphold', 'overturn', 'refer'],
      labels: {
        uphold: '拒绝成立',
        overturn: '拒绝不成立（写明依据）',
        refer: '协调不成，提交区领导小组办公室',
      },
      commentRequired: ['overturn'],
    });
    r.registerForm('dispute-ruling', {
      decisions: ['uphold', 'overturn'],
      labels: { uphold: '拒绝成立', overturn: '拒绝不成立（写明法律依据）' },
      commentRequired: ['overturn'],
    });
    r.registerService('disputeToOffice', async (ctx) => {
      await this.mark(ctx.manager, String(ctx.variables.deliveryId), 'office', ctx.actor);
    });
    r.registerService('disputeUphold', async (ctx) => {
      await this.rule(ctx.manager, ctx.variables, 'upheld', ctx.actor);
    });
    r.registerService('disputeOverturn', async (ctx) => {
      await this.rule(ctx.manager, ctx.variables, 'overturned', ctx.actor);
    });
    // 终止 by the office: no ruling — the refusal stands as before the contest, which may be made again.
    r.registerTermination('refusalDispute', async (ctx) => {
      await this.terminated(ctx.manager, ctx.instance, ctx.reason, ctx.actor);
    });
    r.registerSubject('refusalDispute', async (m, keys) => {
      const rows: { id: string; title: string; community: string; department: string }[] = await m.query(
        `SELECT v.id, d.title, c.name AS community, u.name AS department
           FROM dispatch_delivery v JOIN dispatch d ON d.id = v.dispatch_id
           JOIN org_unit c ON c.id = v.community_id JOIN org_unit u ON u.id = v.department_id
          WHERE v.id = ANY($1::uuid[])`,
        [keys],
      );
      return new Map(
        rows.map((x) => [
          x.id,
          {
            title: `拒绝争议：${x.title}`,
            number: null,
            unitName: x.department,
            kind: 'dispute',
            kindName: '拒绝争议',
            summary: `${x.community}拒绝了这项工作，${x.department}提出异议`,
          },
        ]),
      );
    });
    r.declarePublicVariables('refusalDispute', ['deliveryId', 'communityId', 'streetDeadline']);
  }

  /**
   * The department contests a refused piece with its argument and basis: a case of refusalDispute starts with the
   * street office of the community. Twice, or after the ruling: 409.
   */
  async contest(actor: Actor, dispatchId: string, dto: ContestDto): Promise<void> {
    const p = actor.principal!;
    const blank = (['argument', 'basis'] as const).filter((f) => isBlank(dto[f]));
    if (blank.length)
      throw new AppError(
        'VALIDATION_FAILED',
        blank.map((field) => ({
          field,
          problems: [
            `${field === 'argument' ? '异议理由' : '依据（文件及条款）'}（${field}）必填，不能只有空格。${field} must not be blank.`,
          ],
        })),
      );
    await this.dataSource.transaction(async (m) => {
      const rows: { id: string; state: string; dispute_state: DisputeState | null }[] = await m.query(
        `SELECT v.id, v.state, v.dispute_state FROM dispatch_delivery v
          WHERE v.dispatch_id = $1 AND v.community_id = $2 AND v.department_id = $3 FOR UPDATE`,
        [dispatchId, dto.communityId, p.unitId],
      );
      const v = rows[0];
      if (!v) {
        const own = await m.query(`SELECT 1 FROM dispatch WHERE id = $1 AND department_id = $2`, [
          dispatchId,
          p.unitId,
        ]);
        throw new AppError(own.length ? 'DISPATCH_COMMUNITY_NOT_FOUND' : 'DISPATCH_NOT_FOUND');
      }
      if (v.dispute_state === 'street' || v.dispute_state === 'office')
        throw new AppError('DISPUTE_ALREADY_OPEN');
      if (v.dispute_state) throw new AppError('DISPUTE_ALREADY_RULED');
      if (v.state === 'withdrawn') throw new AppError('DISPUTE_WORK_WITHDRAWN');
      if (v.state !== 'refused') throw new AppError('DISPUTE_NOT_REFUSED', { state: v.state });
      const now = this.clock.now();
      const deadline = addWorkingDays(now, STREET_MEDIATION_WORKING_DAYS, await this.runtime.workCalendar(m));
      const started = await this.runtime.start(
        actor,
        {
          processId: 'refusalDispute',
          businessKey: v.id,
          ownerUnitId: p.unitId,
          variables: {
            deliveryId: v.id,
            communityId: dto.communityId,
            streetDeadline: deadline.toISOString(),
          },
        },
        m,
      );
      await m.query(
        `UPDATE dispatch_delivery SET dispute_state = 'street', dispute_instance_id = $2, dispute_argument = $3,
                dispute_basis = $4, disputed_at = $5 WHERE id = $1`,
        [v.id, started.id, dto.argument, dto.basis, now],
      );
      await this.audit.record(m, actor, {
        action: 'dispatch.contested',
        entityType: 'dispatch_delivery',
        entityId: v.id,
        data: { dispatchId, communityId: dto.communityId, instanceId: started.id, streetDeadline: deadline },
      });
    });
  }

  /** The office terminated (终止) the dispute's case without a ruling. */
  private async terminated(
    m: EntityManager,
    instance: { id: string; businessKey: string | null },
    reason: string | null,
    actor: Actor,
  ) {
    if (instance.businessKey)
      await endOpenDispute(m, this.audit, actor, instance.businessKey, instance.id, reason);
  }

  private async mark(m: EntityManager, deliveryId: string, state: DisputeState, actor: Actor): Promise<void> {
    await m.query(`UPDATE dispatch_delivery SET dispute_state = $2 WHERE id = $1`, [deliveryId, state]);
    await this.audit.record(m, actor, {
      action: 'dispatch.dispute-to-office',
      entityType: 'dispatch_delivery',
      entityId: deliveryId,
    });
  }

  /**
   * The ruling: upheld — the piece stays refused and is closed (the department must apply for admission);
   * overturned — the work stands (the piece is accepted again, to be done), with the legal basis given. A
   * withdrawal ends the case (DispatchesService.withdraw), so no ruling follows one; a piece recorded withdrawn
   * with its case still open (before withdrawals ended cases) stays withdrawn.
   */
  private async rule(
    m: EntityManager,
    variables: Record<string, unknown>,
    outcome: 'upheld' | 'overturned',
    actor: Actor,
  ): Promise<void> {
    const deliveryId = String(variables.deliveryId);
    const current = rowsOf<{ dispute_state: DisputeState }>(
      await m.query(`SELECT dispute_state FROM dispatch_delivery WHERE id = $1`, [deliveryId]),
    )[0];
    const by = current?.dispute_state === 'office' ? 'office' : 'street';
    const comment =
      typeof variables.comment === 'string' && variables.comment.trim() ? variables.comment.trim() : null;
    const now = this.clock.now();
    await m.query(
      `UPDATE dispatch_delivery SET dispute_state = $2::text, dispute_ruled_at = $3, dispute_ruled_by = $4, dispute_ruling = $5,
              state = CASE WHEN $6::boolean AND state = 'refused' THEN 'accepted' ELSE state END,
              accepted_at = CASE WHEN $6::boolean AND state = 'refused' THEN $3 ELSE accepted_at END
        WHERE id = $1`,
      [deliveryId, outcome, now, by, comment, outcome === 'overturned'],
    );
    await this.audit.record(m, actor, {
      action: `dispatch.dispute-${outcome}`,
      entityType: 'dispatch_delivery',
      entityId: deliveryId,
      data: { by, ruling: comment },
    });
  }
}

/**
 * A dispute's case ended without a ruling (the office terminated it, or the department withdrew the piece): the
 * piece is no longer contested — as before the contest, its argument and case kept on record — audited. Runs in
 * the transaction of the step that ends the case.
 */
export async function endOpenDispute(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  deliveryId: string,
  instanceId: string,
  reason: string | null,
): Promise<void> {
  const rows = rowsOf<{ id: string }>(
    await m.query(
      `UPDATE dispatch_delivery SET dispute_state = NULL
        WHERE id = $1 AND dispute_instance_id = $2 AND dispute_state IN ('street', 'office') RETURNING id`,
      [deliveryId, instanceId],
    ),
  );
  for (const r of rows)
    await audit.record(m, actor, {
      action: 'dispatch.dispute-terminated',
      entityType: 'dispatch_delivery',
      entityId: r.id,
      data: { instanceId, reason },
    });
}
