import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { TaskCompletion } from '../workflow/task-completion.service.js';
import { AdmissionApplication } from './admission-application.entity.js';
import { ApplicationStatusService, lockApplication } from './application-status.service.js';

/**
 * 撤回申请: a department withdraws its own application until a decision is made (as an applicant may in Camunda
 * and in Chinese OA suites). A returned application is withdrawn at its correction step, the flow's own path
 * (admission.bpmn: correct → markWithdrawn → 申请撤回); one under review (from the department head's review to
 * the leader's signature) ends its case at once, open tasks cancelled and timers stopped. Either way the
 * application ends as `withdrawn` with the department's reason, in one step with its audit record.
 */
@Injectable()
export class ApplicationWithdrawal {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly tasks: TaskCompletion,
    private readonly statuses: ApplicationStatusService,
  ) {}

  /** Withdraws an application of the caller's department (another's answers as a missing one). */
  async withdraw(actor: Actor, id: string, reason: string): Promise<AdmissionApplication> {
    const p = actor.principal!;
    const repo = this.dataSource.getRepository(AdmissionApplication);
    // The status read here may be overtaken before its path runs (returned, or resubmitted, meanwhile): each path
    // checks it again, and the withdrawal is then tried on the status as it is now, as the clerk would again.
    for (let attempt = 1; ; attempt++) {
      const app = await repo.findOneBy({ id });
      if (!app || app.applicantUnitId !== p.unitId) throw new AppError('APPLICATION_NOT_FOUND');
      try {
        if (app.status === 'returned' && app.instanceId) await this.atCorrection(actor, app, reason);
        else if (app.status === 'in_review' && app.instanceId)
          await this.underReview(actor, app.instanceId, id, reason);
        else throw new AppError('APPLICATION_NOT_WITHDRAWABLE', { status: app.status });
        return repo.findOneByOrFail({ id });
      } catch (e) {
        if (e instanceof StatusMoved && attempt < MAX_ATTEMPTS) continue;
        if (e instanceof StatusMoved) throw new AppError('CONCURRENT_UPDATE');
        throw e;
      }
    }
  }

  /** Returned for correction: the department's 撤回申请 at its correction step (the flow's own path). */
  private async atCorrection(actor: Actor, app: AdmissionApplication, reason: string): Promise<void> {
    const task: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'correct' AND status = 'open' LIMIT 1`,
      [app.instanceId],
    );
    if (!task[0]) {
      // The correction is done but recording it failed (an incident the office retries): its result is pending.
      const pending: { element_id: string }[] = await this.dataSource.query(
        `SELECT element_id FROM workflow_incident WHERE instance_id = $1 AND resolved_at IS NULL AND timer_id IS NULL`,
        [app.instanceId],
      );
      if (pending.length)
        throw new AppError('APPLICATION_DECISION_PENDING', { steps: pending.map((r) => r.element_id) });
      // Resubmitted (or withdrawn) since it was read.
      throw new StatusMoved();
    }
    try {
      await this.tasks.complete(actor, task[0].id, { decision: 'withdraw', comment: reason });
    } catch (e) {
      if (e instanceof AppError && e.code === 'TASK_NOT_OPEN') throw new StatusMoved();
      throw e;
    }
  }

  /** Under review: its case ends at once, open tasks cancelled and timers stopped. */
  private async underReview(actor: Actor, instanceId: string, id: string, reason: string): Promise<void> {
    // A suspended case is in the office's hands: 409 INSTANCE_NOT_ACTIVE until it resumes it.
    await this.runtime.step(instanceId, actor, async (ctx) => {
      const locked = await lockApplication(ctx.manager, id);
      // Returned since it was read: withdrawn at its correction step instead.
      if (locked?.status === 'returned') throw new StatusMoved();
      // Decided since it was read: what the department sees now decides.
      if (!locked || locked.status !== 'in_review')
        throw new AppError('APPLICATION_NOT_WITHDRAWABLE', { status: locked?.status ?? null });
      // A review step is done and the flow waits on recording its result (a service task whose handler failed,
      // e.g. the signed item's registration, until the office retries it): decided, though the status does not
      // say so yet. Ending the case now would leave the signature void: the department may not undo a decision
      // (the office may, by terminating the case).
      if (ctx.live.pendingServices.length)
        throw new AppError('APPLICATION_DECISION_PENDING', {
          steps: ctx.live.pendingServices.map((s) => s.elementId),
        });
      await this.statuses.markWithdrawn(ctx.manager, locked, reason, actor);
      ctx.status = 'terminated';
      ctx.live.stop();
      ctx.history.push({ action: 'application.withdrawn', comment: reason });
    });
  }
}

/** The application's status moved on between its read and the withdrawal's own check: try again on the fresh one. */
class StatusMoved extends Error {}

/** A returned application can be resubmitted and returned again meanwhile, but not forever. */
const MAX_ATTEMPTS = 3;
