import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Role } from '../auth/permissions.js';
import { AppError } from '../common/errors.js';
import { Clock } from '../common/clock.js';
import { StampsModule } from '../stamps/stamps.module.js';
import { WorkflowRegistry } from '../workflow/workflow.registry.js';
import { AdmissionApplication } from './admission-application.entity.js';
import { AdmissionChecks } from './admission-checks.service.js';
import { ApplicationsController } from './applications.controller.js';
import { ApplicationStatusService } from './application-status.service.js';
import { ApplicationFieldChecks } from './application-field-checks.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationWithdrawal } from './application-withdrawal.service.js';
import { ApplicationFormService } from './application-form.service.js';
import { ReviewFormDto } from './dto/application.dto.js';
import { AttachmentsService } from './attachments.service.js';
import { ExitService } from './exit.service.js';
import { AdmissionFindings } from './findings.service.js';
import { FundingService } from './funding.service.js';
import { NegativeListService } from './negative-list.service.js';
import { ReferenceService } from './reference.service.js';
import { RegisterController } from './register.controller.js';
import { RegisterService } from './register.service.js';
import { FundingViews } from './funding-views.service.js';
import { RegisterReads } from './register-reads.service.js';
import { ExitReads } from './exit-reads.service.js';
import { MyCommunityController } from './my-community.controller.js';
import { RegularizationService } from './regularization.service.js';
import {
  describeApplications,
  describeEmergencies,
  describeExits,
  describeNegativeListChanges,
  PUBLIC_VARIABLES,
} from './workflow-subjects.js';

/** What the admission flow (workflows/admission.bpmn) needs from the runtime: its forms and service topics. */
@Injectable()
class AdmissionWorkflow implements OnModuleInit {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly clock: Clock,
    private readonly fieldChecks: ApplicationFieldChecks,
    private readonly checks: AdmissionChecks,
    private readonly register: RegisterService,
    private readonly funding: FundingService,
    private readonly exits: ExitService,
    private readonly negativeList: NegativeListService,
    private readonly statuses: ApplicationStatusService,
    private readonly findings: AdmissionFindings,
  ) {}

  onModuleInit(): void {
    const r = this.registry;
    r.requireProcess('admission');
    r.requireProcess('exit');
    r.requireProcess('emergency');
    r.requireProcess('negativeList');
    // What each case is about (the inbox, a task, a case) and which of its variables its answer shows.
    r.registerSubject('admission', describeApplications);
    r.registerSubject('exit', describeExits);
    r.registerSubject('emergency', describeEmergencies);
    r.registerSubject('negativeList', describeNegativeListChanges);
    for (const [processId, names] of Object.entries(PUBLIC_VARIABLES))
      r.declarePublicVariables(processId, names);
    r.registerService('negativeListApply', async (ctx) => {
      await this.negativeList.apply(ctx.manager, String(ctx.variables.changeId), ctx.actor);
    });
    r.registerService('negativeListDecline', async (ctx) => {
      await this.negativeList.decline(ctx.manager, String(ctx.variables.changeId), ctx.actor);
    });
    r.registerForm('exit-determine', { decisions: ['approve', 'reject'] });
    // Seed 002 §5 (报同级社区建设工作领导小组批准备案): the principal leader approves, then the office records.
    r.registerForm('exit-approve', { decisions: ['approve', 'reject'] });
    r.registerForm('exit-record', { decisions: ['record'] });
    r.registerGroup('exit-community', async (ctx) => ({
      unitIds: typeof ctx.loopItem === 'string' ? [ctx.loopItem] : [],
      roles: [Role.COMMITTEE],
    }));
    r.registerService('exitWeigh', async (ctx) => {
      this.exits.weigh(ctx.variables);
    });
    r.registerService('exitApply', async (ctx) => {
      await this.exits.apply(ctx.manager, String(ctx.variables.proposalId), this.clock.now(), ctx.actor);
    });
    r.registerService('exitKeep', async (ctx) => {
      await this.exits.keep(ctx.manager, String(ctx.variables.proposalId), this.clock.now(), ctx.actor);
    });
    r.registerService('admissionExpire', async (ctx) => {
      await this.register.expire(ctx.manager, String(ctx.variables.itemId), ctx.actor);
    });
    // Findings that bind: approving at scope review, countersign or signature waits for every failing finding.
    // Approve or reject: the negative list's steps, and admission cases started on a version of the flow that
    // had no return after those steps (there a return would take the flow's default path: a rejection).
    r.registerForm('admission-decision', {
      decisions: ['approve', 'reject'],
      check: (c) => this.findings.guard(c),
    });
    // Scope review, each countersign and the signature of today's flow: approve, return with every
    // deficiency at once (一次告知), or reject.
    r.registerForm('admission-signoff', {
      decisions: ['approve', 'return', 'reject'],
      dto: ReviewFormDto,
      check: (c) => this.findings.guard(c),
    });
    r.registerForm('admission-dept-decision', { decisions: ['approve', 'reject'] });
    r.registerForm('admission-review', { decisions: ['approve', 'return', 'reject'], dto: ReviewFormDto });
    r.registerForm('admission-correct', {
      decisions: ['resubmit', 'withdraw'],
      // A withdrawal ends the case: the department says why (撤回原因).
      commentRequired: ['withdraw'],
      // A resubmission must be complete: the same check as the first submission.
      check: async (ctx) => {
        if (ctx.decision !== 'resubmit') return;
        const app = await ctx.manager.findOneBy(AdmissionApplication, { id: ctx.instance.businessKey ?? '' });
        if (!app) throw new AppError('APPLICATION_NOT_FOUND');
        await this.fieldChecks.complete(ctx.manager, app);
      },
    });
    r.registerService('admissionStatus', async (ctx) => {
      await this.statuses.markStatus(
        ctx.manager,
        String(ctx.variables.applicationId),
        ctx.elementId,
        (ctx.variables.comment as string | null) ?? null,
        { deficiencies: ctx.variables.deficiencies, returnedStep: ctx.variables.returnedStep },
        ctx.actor,
      );
    });
    r.registerTermination('exit', async (ctx) => {
      await this.exits.terminated(
        ctx.manager,
        ctx.instance.businessKey ?? '',
        ctx.reason,
        ctx.now,
        ctx.actor,
      );
    });
    // An emergency item is in force from its start: its case times its funding window and its end.
    r.registerTermination('emergency', async () => {
      throw new AppError('CASE_NOT_TERMINABLE');
    });
    r.registerTermination('admission', async (ctx) => {
      await this.statuses.markTerminated(ctx.manager, ctx.instance.businessKey ?? '', ctx.reason, ctx.actor);
    });
    r.registerService('admissionAdmit', async (ctx) => {
      const item = await this.register.admit(
        ctx.manager,
        String(ctx.variables.applicationId),
        this.clock.now(),
        ctx.actor,
      );
      ctx.variables.itemId = item.id;
      ctx.variables.expiresAt = this.register.expiresAt(item).toISOString();
    });
    r.registerService('admissionLapse', async (ctx) => {
      ctx.variables.lapsedCommunities = await this.funding.lapseUnfunded(
        ctx.manager,
        String(ctx.variables.itemId),
        this.clock.now(),
        ctx.actor,
      );
    });
    r.registerService('admissionChecks', async (ctx) => {
      const findings = await this.checks.run(ctx.manager, String(ctx.variables.applicationId));
      ctx.variables.findings = { blocking: findings.some((f) => f.result === 'fail') };
    });
  }
}

@Module({
  imports: [StampsModule],
  providers: [
    ApplicationsService,
    ApplicationFieldChecks,
    ApplicationStatusService,
    ApplicationWithdrawal,
    AdmissionChecks,
    AdmissionFindings,
    AttachmentsService,
    RegisterService,
    FundingService,
    ExitService,
    NegativeListService,
    ReferenceService,
    AdmissionWorkflow,
    ApplicationFormService,
    RegisterReads,
    FundingViews,
    RegularizationService,
    ExitReads,
  ],
  controllers: [ApplicationsController, RegisterController, MyCommunityController],
})
export class AdmissionModule {}
