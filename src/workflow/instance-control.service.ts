import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { Permission } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { InstancesService } from './instances.service.js';
import { infoOf, WorkflowRuntime } from './runtime.service.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import { WorkflowIncident } from './workflow-incident.entity.js';
import type { WorkflowInstance } from './workflow-instance.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';

/**
 * The office's hand on a case (workflow:oversee, or the workflow admin), each as one step of the runtime, recorded
 * in the case's history: suspend (挂起), resume (恢复), terminate (终止), and retry a failed service task or timer.
 * A case the caller may not see answers 404 as a missing one; one it sees but may not oversee, 403.
 */
@Injectable()
export class InstanceControlService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly instances: InstancesService,
    private readonly clock: Clock,
    private readonly registry: WorkflowRegistry,
  ) {}

  private async oversee(p: Principal, id: string): Promise<WorkflowInstance> {
    const i = await this.instances.findVisible(p, id, 'control');
    if (!p.permissions.has(Permission.WORKFLOW_OVERSEE) && !p.permissions.has(Permission.WORKFLOW_ADMIN))
      throw new AppError('FORBIDDEN', { required: [Permission.WORKFLOW_OVERSEE] });
    return i;
  }

  /** 挂起: the case stops; its steps' time limits pause until it resumes. */
  async suspend(actor: Actor, id: string, comment?: string) {
    await this.oversee(actor.principal!, id);
    await this.runtime.step(id, actor, async (ctx) => {
      ctx.status = 'suspended';
      await ctx.manager.query('UPDATE workflow_instance SET suspended_at = $2 WHERE id = $1', [id, ctx.now]);
      await ctx.manager.query(
        `UPDATE workflow_timer SET cancelled_at = $2 WHERE instance_id = $1 AND kind = 'task-limit' AND fired_at IS NULL AND cancelled_at IS NULL`,
        [id, ctx.now],
      );
      ctx.history.push({ action: 'instance.suspended', comment: comment ?? null });
    });
    return this.instances.get(actor.principal!, id);
  }

  /** 恢复: the case goes on; time limits are extended by the time it was suspended, and timers due meanwhile fire. */
  async resume(actor: Actor, id: string, comment?: string) {
    const i = await this.oversee(actor.principal!, id);
    if (i.status !== 'suspended') throw new AppError('INSTANCE_NOT_ACTIVE', { status: i.status });
    await this.runtime.step(
      id,
      actor,
      async (ctx) => {
        ctx.status = 'active';
        const pausedMs = ctx.now.getTime() - (i.suspendedAt ?? ctx.now).getTime();
        await ctx.manager.query('UPDATE workflow_instance SET suspended_at = NULL WHERE id = $1', [id]);
        const open: {
          id: string;
          element_id: string;
          execution_id: string;
          due_at: Date | null;
          overdue_at: Date | null;
        }[] = await ctx.manager.query(
          `SELECT id, element_id, execution_id, due_at, overdue_at FROM workflow_task WHERE instance_id = $1 AND status = 'open' AND kind = 'step'`,
          [id],
        );
        for (const t of open) {
          if (!t.due_at || t.overdue_at) continue;
          const due = new Date(new Date(t.due_at).getTime() + pausedMs);
          await ctx.manager.query('UPDATE workflow_task SET due_at = $2 WHERE id = $1', [t.id, due]);
          await this.runtime.scheduleTimer(ctx.manager, {
            instanceId: id,
            kind: 'task-limit',
            elementId: t.element_id,
            executionId: t.execution_id,
            taskId: t.id,
            fireAt: due,
          });
        }
        // BPMN timers that came due while suspended fire now (their jobs found the case suspended).
        const due: { id: string; element_id: string; execution_id: string }[] = await ctx.manager.query(
          `SELECT id, element_id, execution_id FROM workflow_timer WHERE instance_id = $1 AND kind = 'bpmn' AND fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= $2`,
          [id, ctx.now],
        );
        for (const t of due) {
          await ctx.manager.query('UPDATE workflow_timer SET cancelled_at = $2 WHERE id = $1', [
            t.id,
            ctx.now,
          ]);
          await this.runtime.scheduleTimer(ctx.manager, {
            instanceId: id,
            kind: 'bpmn',
            elementId: t.element_id,
            executionId: t.execution_id,
            taskId: null,
            fireAt: ctx.now,
          });
        }
        ctx.history.push({ action: 'instance.resumed', comment: comment ?? null, data: { pausedMs } });
      },
      { allowInactive: true },
    );
    return this.instances.get(actor.principal!, id);
  }

  /**
   * 终止: the office ends the case; open tasks are cancelled and timers stop, and the domain ends its object
   * in the same transaction (the handler its process registered, e.g. the application becomes terminated).
   */
  async terminate(actor: Actor, id: string, comment?: string) {
    await this.oversee(actor.principal!, id);
    await this.runtime.step(
      id,
      actor,
      async (ctx) => {
        if (ctx.instance.status === 'completed' || ctx.instance.status === 'terminated')
          throw new AppError('INSTANCE_NOT_ACTIVE', { status: ctx.instance.status });
        // The domain first: it may refuse (e.g. an admitted item whose case times its end).
        const onTerminated = this.registry.termination(ctx.instance.processId);
        if (onTerminated)
          await onTerminated({
            manager: ctx.manager,
            instance: infoOf(ctx.instance),
            reason: comment ?? null,
            actor,
            now: ctx.now,
          });
        ctx.status = 'terminated';
        ctx.live.stop();
        // The case ends with what it still had to record (a service task whose handler failed, an incident):
        // the call is not run after the domain ended its object, and its incident closes with the case.
        const dropped = ctx.live.pendingServices.splice(0).map((s) => s.elementId);
        if (dropped.length)
          await ctx.manager.query(
            `UPDATE workflow_incident SET resolved_at = $3
              WHERE instance_id = $1 AND element_id = ANY($2::varchar[]) AND timer_id IS NULL AND resolved_at IS NULL`,
            [id, dropped, ctx.now],
          );
        ctx.history.push({
          action: 'instance.terminated',
          comment: comment ?? null,
          ...(dropped.length ? { data: { discardedSteps: dropped } } : {}),
        });
      },
      { allowInactive: true },
    );
    return this.instances.get(actor.principal!, id);
  }

  /** Runs a failed service task, or fires a failed timer, again; answers whether it worked this time. */
  async retry(actor: Actor, incidentId: string): Promise<{ resolved: boolean; message?: string }> {
    const incident = await this.dataSource.getRepository(WorkflowIncident).findOneBy({ id: incidentId });
    if (!incident || incident.resolvedAt) throw new AppError('INCIDENT_NOT_FOUND');
    await this.oversee(actor.principal!, incident.instanceId);
    if (incident.timerId) return this.retryTimer(actor, { ...incident, timerId: incident.timerId });
    this.runtime.forget(incident.instanceId);
    await this.runtime.step(incident.instanceId, actor, async (ctx) => {
      ctx.history.push({ action: 'incident.retried', elementId: incident.elementId, data: { incidentId } });
    });
    const after = await this.dataSource.getRepository(WorkflowIncident).findOneByOrFail({ id: incidentId });
    return { resolved: after.resolvedAt !== null, message: after.resolvedAt ? undefined : after.message };
  }

  /** A timer's incident is resolved once its timer has fired (or was cancelled meanwhile); who retried is recorded. */
  private async retryTimer(
    actor: Actor,
    incident: WorkflowIncident & { timerId: string },
  ): Promise<{ resolved: boolean; message?: string }> {
    const { id: incidentId, timerId } = incident;
    try {
      await this.runtime.fireTimer(timerId);
    } catch (e) {
      await this.runtime.timerFailed(timerId, e);
    }
    await this.dataSource.query(
      `UPDATE workflow_incident SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL
          AND EXISTS (SELECT 1 FROM workflow_timer t WHERE t.id = $3 AND (t.fired_at IS NOT NULL OR t.cancelled_at IS NOT NULL))`,
      [incidentId, this.clock.now(), timerId],
    );
    const after = await this.dataSource.getRepository(WorkflowIncident).findOneByOrFail({ id: incidentId });
    await this.dataSource.getRepository(WorkflowHistory).insert({
      instanceId: incident.instanceId,
      elementId: incident.elementId,
      action: 'incident.retried',
      actorId: actor.principal?.userId ?? null,
      actorUsername: actor.principal?.username ?? null,
      at: this.clock.now(),
      data: { incidentId, timerId, resolved: after.resolvedAt !== null },
    });
    return { resolved: after.resolvedAt !== null, message: after.resolvedAt ? undefined : after.message };
  }
}
