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
    const app = await repo.findOneBy({ id });
    if (!app || app.applicantUnitId !== p.unitId) throw new AppError('APPLICATION_NOT_FOUND');
    if (app.status === 'returned' && app.instanceId) {
      const task: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'correct' AND status = 'open' LIMIT 1`,
        [app.instanceId],
      );
      if (!task[0]) throw new AppError('APPLICATION_NOT_WITHDRAWABLE', { status: app.status });
      await this.tasks.complete(actor, task[0].id, { decision: 'withdraw', comment: reason });
    } else if (app.status === 'in_review' && app.instanceId) {
      // A suspended case is in the office's hands: 409 INSTANCE_NOT_ACTIVE until it resumes it.
      await this.runtime.step(app.instanceId, actor, async (ctx) => {
        const locked = await lockApplication(ctx.manager, id);
        // Decided (or returned) since it was read: what the department sees now decides.
        if (!locked || locked.status !== 'in_review')
          throw new AppError('APPLICATION_NOT_WITHDRAWABLE', { status: locked?.status ?? null });
        // A review step is done and the flow waits on recording its result (a service task whose handler failed,
        // e.g. the signed item's registration, until the office retries it): decided, though the status does not
        // say so yet. Ending the case now would run that handler in this very step (the item published, the
        // application admitted) or leave the signature void.
        if (ctx.live.pendingServices.length)
          throw new AppError('APPLICATION_DECISION_PENDING', {
            steps: ctx.live.pendingServices.map((s) => s.elementId),
          });
        await this.statuses.markWithdrawn(ctx.manager, locked, reason, actor);
        ctx.status = 'terminated';
        ctx.live.stop();
        ctx.history.push({ action: 'application.withdrawn', comment: reason });
      });
    } else throw new AppError('APPLICATION_NOT_WITHDRAWABLE', { status: app.status });
    return repo.findOneByOrFail({ id });
  }
}
