import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Role } from '../auth/permissions.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { levelUnitsOf } from '../org/level-units.service.js';
import type { FormCheckContext } from '../workflow/workflow.registry.js';
import { bumpVersion } from './application-status.service.js';
import { AdmissionApplication, type Finding, type FindingOverride } from './admission-application.entity.js';
import { ApplicationsService } from './applications.service.js';
import { STAMP_REGISTRY_CHECK } from './stamp-finding.js';

/** The steps at which a failing finding blocks approval, and between which it may be overridden. */
export const BINDING_STEPS = ['scopeReview', 'countersign', 'leaderSign'];

/** The failing findings not (yet) overridden: each blocks approval. */
export function unresolvedFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.result === 'fail' && !f.override);
}

const codeOf = (f: Finding) => f.code ?? f.check;

/** Checks whose failing finding only the principal leader may override (seed 002 §4; 民发〔2020〕20号). */
const LEADER_ONLY: readonly string[] = ['negative-list', STAMP_REGISTRY_CHECK];

/**
 * Findings that bind (issue 11 item 1; seed 002 §4–§5). A failing automatic check (negative list; outside the
 * statutory areas with no legal basis; lead time too short) blocks approval at the office's scope review, each
 * member's countersign and the leader's signature until the applicant corrects it (a return and a resubmission
 * run the checks again) or it is overridden with a written reason: by the office of the level, or — for a
 * negative-list hit — only by the principal leader. The override stays with the finding, in the register entry
 * and in the audit trail.
 */
@Injectable()
export class AdmissionFindings {
  constructor(
    private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The form check of the admission decisions: approving at a binding step answers 409 FINDINGS_UNRESOLVED listing
   * every unresolved failing finding at once; any other decision (reject, return) goes through.
   */
  async guard(ctx: FormCheckContext): Promise<void> {
    if (ctx.decision !== 'approve' || !BINDING_STEPS.includes(ctx.elementId)) return;
    // Only the findings: this runs in every binding approval, and the whole row is not needed.
    const rows: { findings: Finding[] }[] = await ctx.manager.query(
      'SELECT findings FROM admission_application WHERE id = $1',
      [ctx.instance.businessKey ?? ''],
    );
    if (!rows[0]) return;
    const open = unresolvedFindings(rows[0].findings);
    if (open.length)
      throw new AppError(
        'FINDINGS_UNRESOLVED',
        open.map((f) => ({
          code: codeOf(f),
          check: f.check,
          message: f.message,
          overridableBy: LEADER_ONLY.includes(f.check) ? 'leader' : 'office or leader',
        })),
      );
  }

  /**
   * Overrides one failing finding with a written reason, between the office's scope review and the leader's
   * signature: the office of the application's level, or its principal leader (the only one for a negative-list
   * hit: seed 002 §4, the negative list is not set aside below the principal leader).
   */
  async override(
    actor: Actor,
    applicationId: string,
    code: string,
    reason: string,
  ): Promise<AdmissionApplication> {
    const p = actor.principal!;
    // Visible as the application is (a foreign one answers like a missing one).
    await this.applications.get(p, applicationId);
    return this.dataSource.transaction(async (m) => {
      // The row locked: overrides, a return's status change and a re-run of the checks come one after another.
      const app = await m.findOne(AdmissionApplication, {
        where: { id: applicationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!app) throw new AppError('APPLICATION_NOT_FOUND');
      const level = await levelUnitsOf(m, app.applicantUnitId);
      const role =
        p.roles.includes(Role.LEADER) && level.leaderId === p.userId
          ? 'leader'
          : p.roles.includes(Role.OFFICE) && level.officeId === p.unitId
            ? 'office'
            : null;
      if (!role) throw new AppError('FINDING_OVERRIDE_NOT_ALLOWED');
      const finding = app.findings.find((f) => codeOf(f) === code);
      if (!finding) throw new AppError('FINDING_NOT_FOUND', { codes: app.findings.map(codeOf) });
      if (finding.check === 'negative-list' && role !== 'leader')
        throw new AppError('FINDING_OVERRIDE_LEADER_ONLY');
      if (finding.check === STAMP_REGISTRY_CHECK && role !== 'leader')
        throw new AppError(
          'FINDING_OVERRIDE_LEADER_ONLY',
          { check: finding.check },
          '盖章证明事项清单禁止出具的证明只能由本级主要领导书面说明理由后放行；办公室可退回部门取消盖章要求或不予准入，或报请主要领导决定。Only the principal leader may override a certificate the stamp registry prohibits, with a written reason.',
        );
      if (finding.result !== 'fail') throw new AppError('FINDING_NOT_FAILING', { result: finding.result });
      if (finding.override) throw new AppError('FINDING_ALREADY_OVERRIDDEN', { override: finding.override });
      const atStep: unknown[] =
        app.status === 'in_review' && app.instanceId
          ? await m.query(
              `SELECT 1 FROM workflow_task WHERE instance_id = $1 AND status = 'open' AND element_id = ANY($2::text[]) LIMIT 1`,
              [app.instanceId, BINDING_STEPS],
            )
          : [];
      if (!atStep.length) throw new AppError('FINDING_OVERRIDE_NOT_NOW', { status: app.status });
      const unit: { name: string }[] = await m.query('SELECT name FROM org_unit WHERE id = $1', [p.unitId]);
      const override: FindingOverride = {
        role,
        userId: p.userId,
        displayName: p.displayName,
        unitId: p.unitId,
        unitName: unit[0]?.name ?? '',
        at: this.clock.now().toISOString(),
        reason,
      };
      const findings = app.findings.map((f) => (f === finding ? { ...f, code: codeOf(f), override } : f));
      await bumpVersion(m, app.id, { findings });
      await this.audit.record(m, actor, {
        action: 'application.finding-overridden',
        entityType: 'admission_application',
        entityId: app.id,
        data: {
          code: codeOf(finding),
          check: finding.check,
          role,
          unitId: p.unitId,
          reason,
          instanceId: app.instanceId,
        },
      });
      return m.findOneByOrFail(AdmissionApplication, { id: app.id });
    });
  }
}
