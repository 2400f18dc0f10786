import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import {
  AdmissionApplication,
  type ApplicationStatus,
  type Deficiency,
} from './admission-application.entity.js';
import { snapshotOf } from './application-fields.js';

/** The statuses the admission flow's service tasks (admissionStatus) set, by element. */
const BY_ELEMENT: Record<string, ApplicationStatus> = {
  markReturned: 'returned',
  markResubmitted: 'in_review',
  markWithdrawn: 'withdrawn',
  markRejected: 'rejected',
};

/**
 * What the admission flow does to its application: returned (with every deficiency at once, 一次告知 — seed
 * 001), resubmitted, withdrawn, rejected, and terminated by the office (终止). Each write reads the row under
 * lock and moves its version on in SQL (`version = version + 1`), so no version number is ever given twice and
 * a change the department makes meanwhile is either in the snapshot the reviewers get or refused.
 */
@Injectable()
export class ApplicationStatusService {
  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Sets the status the flow reached (a return with its deficiencies; a resubmission with what changed). */
  async markStatus(
    m: EntityManager,
    applicationId: string,
    elementId: string,
    reason: string | null,
    returned: { deficiencies?: unknown; returnedStep?: unknown } = {},
    actor: Actor = {},
  ): Promise<void> {
    const status = BY_ELEMENT[elementId];
    if (!status) throw new Error(`no status for ${elementId}`);
    const app = await lockApplication(m, applicationId);
    if (!app) throw new Error(`application ${applicationId} not found`);
    // The department withdrew it at its correction step (撤回申请): the same record as a withdrawal under review.
    if (status === 'withdrawn') return this.markWithdrawn(m, app, reason, actor);
    const changes: Partial<AdmissionApplication> = { status };
    if (status === 'rejected' || status === 'returned') changes.decisionReason = reason;
    if (status === 'returned') {
      changes.deficiencies = deficienciesOf(returned.deficiencies);
      changes.returnedStep = typeof returned.returnedStep === 'string' ? returned.returnedStep : null;
      changes.returnedAt = this.clock.now();
    }
    if (elementId === 'markResubmitted') {
      const previous = app.submittedSnapshot ?? {};
      const now = snapshotOf(app);
      const diff: Record<string, { before: unknown; after: unknown }> = {};
      for (const k of Object.keys(now))
        if (JSON.stringify(previous[k]) !== JSON.stringify(now[k]))
          diff[k] = { before: previous[k] ?? null, after: now[k] };
      changes.changesSinceSubmission = diff;
      changes.submittedSnapshot = now;
      changes.submittedAt = this.clock.now();
      // Corrected: the list is answered (the return's step record and the case's history keep it).
      changes.deficiencies = [];
      changes.returnedStep = null;
      changes.returnedAt = null;
    }
    await bumpVersion(m, applicationId, changes);
  }

  /**
   * The department withdrew (撤回) its application before a decision — under review, or returned for correction:
   * it ends as withdrawn with the department's reason (kept apart from the reviewers' decisionReason), audited.
   * The caller holds the row's lock (lockApplication) inside the step that ends the case.
   */
  async markWithdrawn(
    m: EntityManager,
    app: AdmissionApplication,
    reason: string | null,
    actor: Actor,
  ): Promise<void> {
    await bumpVersion(m, app.id, {
      status: 'withdrawn',
      withdrawnAt: this.clock.now(),
      withdrawalReason: reason,
    });
    await this.audit.record(m, actor, {
      action: 'application.withdrawn',
      entityType: 'admission_application',
      entityId: app.id,
      data: { instanceId: app.instanceId, previousStatus: app.status, reason },
    });
  }

  /**
   * The office terminated (终止) the case: an application still under review or being corrected ends as
   * terminated, with the office's reason, and the department may file a new one. An application already
   * signed is not terminated (409 CASE_NOT_TERMINABLE): its item leaves the register only through an exit (exit.bpmn).
   * A decision made but not yet recorded (a service task failed, e.g. the signed item's registration: an incident)
   * ends with the case too — the runtime does not run it after this — so the application says 已终止, never
   * 已准入 without an item; the audit record names those steps.
   */
  async markTerminated(
    m: EntityManager,
    applicationId: string,
    reason: string | null,
    actor: Actor,
  ): Promise<void> {
    const app = await lockApplication(m, applicationId);
    if (!app) return;
    // Signed: the case times the funding window and the item's end; the item leaves only by an exit.
    if (app.status === 'awaiting_funding' || app.status === 'admitted')
      throw new AppError('CASE_NOT_TERMINABLE');
    if (app.status !== 'in_review' && app.status !== 'returned') return;
    await bumpVersion(m, applicationId, {
      status: 'terminated',
      decisionReason: reason,
      terminatedAt: this.clock.now(),
    });
    // The steps whose result was still being recorded (their incidents close with the case).
    const pending: { element_id: string }[] = app.instanceId
      ? await m.query(
          `SELECT element_id FROM workflow_incident
            WHERE instance_id = $1 AND resolved_at IS NULL AND timer_id IS NULL ORDER BY created_at, id`,
          [app.instanceId],
        )
      : [];
    await this.audit.record(m, actor, {
      action: 'application.terminated',
      entityType: 'admission_application',
      entityId: applicationId,
      data: {
        instanceId: app.instanceId,
        previousStatus: app.status,
        reason,
        ...(pending.length ? { pendingSteps: pending.map((r) => r.element_id) } : {}),
      },
    });
  }
}

/** The application's row, read under a row lock for the rest of the transaction. */
export function lockApplication(m: EntityManager, id: string): Promise<AdmissionApplication | null> {
  return m.findOne(AdmissionApplication, { where: { id }, lock: { mode: 'pessimistic_write' } });
}

/** Writes `changes` to the application and moves its version on in SQL (no version number is given twice). */
export async function bumpVersion(m: EntityManager, id: string, changes: Partial<AdmissionApplication>) {
  await m
    .createQueryBuilder()
    .update(AdmissionApplication)
    .set({ ...changes, version: () => 'version + 1' } as never)
    .where('id = :id', { id })
    .execute();
}

/** A return's deficiencies as stored: those of a review's form ({ field?, problem }) or plain texts. */
function deficienciesOf(value: unknown): Deficiency[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((d): Deficiency[] => {
    if (typeof d === 'string') return [{ problem: d }];
    if (d && typeof d === 'object' && typeof (d as Deficiency).problem === 'string') {
      const { field, problem } = d as Deficiency;
      return [field ? { field, problem } : { problem }];
    }
    return [];
  });
}
