import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AdmissionApplication, ApplicationStatus } from '../admission-application.entity.js';
import { ApplicationKind } from '../admission-application.entity.js';
import type { ListedApplication } from '../applications.service.js';
import type { ApplicationAttachment } from '../attachment.entity.js';
import { snapshotDiff, snapshotOf } from '../application-fields.js';

/**
 * What the admission routes answer about applications and their attachments. Each class is exactly what goes on the wire (the console is
 * generated from the OpenAPI); each `toXDto` copies the fields a client may see and nothing else.
 */

const APPLICATION_STATUSES: ApplicationStatus[] = [
  'draft',
  'in_review',
  'returned',
  'rejected',
  'awaiting_funding',
  'admitted',
  'withdrawn',
  'terminated',
];

export class FindingOverrideDto {
  @ApiProperty({ enum: ['office', 'leader'], description: 'The office, or the principal leader' })
  role: 'office' | 'leader';
  @ApiProperty() userId: string;
  @ApiProperty({ description: 'Who overrode it, as the account shows them' }) displayName: string;
  @ApiProperty() unitId: string;
  @ApiProperty() unitName: string;
  @ApiProperty({ description: 'When (ISO instant)' }) at: string;
  @ApiProperty({ description: 'The written reason' }) reason: string;
}

export class FindingDto {
  @ApiProperty({
    description:
      'Stable within the application: the check’s name, or shared-report-fields; the override route names it',
    example: 'negative-list',
  })
  code: string;
  @ApiProperty({ enum: ['statutory-scope', 'negative-list', 'duplicates', 'lead-time', 'stamp-registry'] })
  check: string;
  @ApiProperty({ enum: ['pass', 'warn', 'fail'] }) result: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: Object, description: 'What the check found (an object or a list of them)' })
  details?: unknown;
  @ApiPropertyOptional({
    type: FindingOverrideDto,
    description:
      'A failing finding overridden with a written reason (who, unit, when, why); absent while unresolved',
  })
  override?: FindingOverrideDto;
}

export class DeficiencyInfoDto {
  @ApiPropertyOptional({ description: 'The form field concerned, if one is (or attachments)' })
  field?: string;
  @ApiProperty({ description: 'What is wrong and what to do' }) problem: string;
}

/** The admitted item an application became. */
export class AdmittedItemRefDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: '〔2027〕第3号' }) admissionNumber: string;
}

export class ApplicationDto {
  @ApiProperty() id: string;
  @ApiProperty() applicantUnitId: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ enum: APPLICATION_STATUSES }) status: ApplicationStatus;
  @ApiProperty({ nullable: true, type: String, description: 'The approval case once submitted' })
  instanceId: string | null;
  @ApiProperty({ nullable: true, enum: ApplicationKind }) kind: ApplicationKind | null;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ nullable: true, type: String }) content: string | null;
  @ApiProperty({ nullable: true, type: String }) legalBasisDocument: string | null;
  @ApiProperty({ nullable: true, type: String }) legalBasisArticle: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'A statutory area code, or other' })
  statutoryArea: string | null;
  @ApiProperty({ nullable: true, enum: ['all', 'list'] }) targetScope: 'all' | 'list' | null;
  @ApiProperty({ nullable: true, type: String }) targetUnitId: string | null;
  @ApiProperty({ type: [String] }) targetCommunityIds: string[];
  @ApiProperty({ nullable: true, type: String }) authorizedContent: string | null;
  @ApiProperty({ nullable: true, type: String }) targetPopulation: string | null;
  @ApiProperty({ nullable: true, type: String }) powers: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'YYYY-MM-DD' }) startDate: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'YYYY-MM-DD' }) endDate: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Hours per month per community (decimal)' })
  workloadHoursPerMonth: string | null;
  @ApiProperty({ nullable: true, type: String }) frequency: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Funding per community in fen (a whole number)' })
  fundingPerCommunityFen: string | null;
  @ApiProperty({ nullable: true, type: String }) fundingSource: string | null;
  @ApiProperty({ nullable: true, type: String }) supportOffered: string | null;
  @ApiProperty({ nullable: true, type: String }) contactName: string | null;
  @ApiProperty({ nullable: true, type: String }) contactPhone: string | null;
  @ApiProperty({ type: [String] }) reportFields: string[];
  @ApiProperty({ nullable: true, type: String }) regularizesItemId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'For a stamp demand (kind stamp): the certificate committees would issue',
  })
  certificateName: string | null;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description:
      '派单提前期: working days at least between sending work under the item and its due date (1–30); null: the default of 3',
  })
  noticeWorkingDays: number | null;
  @ApiProperty({
    nullable: true,
    type: AdmittedItemRefDto,
    description: 'The admitted item it became (GET /admitted-items/:id); null until signed',
  })
  admittedItem: AdmittedItemRefDto | null;
  @ApiProperty({ type: [FindingDto], description: 'The automatic checks’ findings' }) findings: FindingDto[];
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'Field → { before, after }: what changed since the last submission',
  })
  changesSinceSubmission: Record<string, { before: unknown; after: unknown }> | null;
  @ApiProperty({
    nullable: true,
    type: Object,
    description:
      'While returned for correction: field → { before, after }, what the correction has changed so far against what the reviewers were given (an emptied field has after null); null in any other status',
  })
  pendingChanges: Record<string, { before: unknown; after: unknown }> | null;
  @ApiProperty({ nullable: true, type: String }) decisionReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) submittedAt: Date | null;
  @ApiProperty({
    type: [DeficiencyInfoDto],
    description:
      'What the last return asked to correct, every item at once (一次告知); empty once resubmitted',
  })
  deficiencies: DeficiencyInfoDto[];
  @ApiProperty({
    nullable: true,
    enum: ['completeness', 'scopeReview', 'countersign', 'leaderSign'],
    description: 'The review step that returned it: 完整性审查, 范围审查, 成员单位会签, 主要领导签批',
  })
  returnedStep: string | null;
  @ApiProperty({ nullable: true, type: Date, description: 'When it was returned' }) returnedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When the office terminated (终止) its case; the reason is in decisionReason',
  })
  terminatedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When its department withdrew it (撤回申请); the reason is in withdrawalReason',
  })
  withdrawnAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'The department’s reason for withdrawing it' })
  withdrawalReason: string | null;
  @ApiProperty({ description: 'Send it back with a change; a stale one answers 409 CONCURRENT_UPDATE' })
  version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

/** The application as a client sees it (the last submitted snapshot stays inside). */
export function toApplicationDto(
  a: AdmissionApplication,
  admittedItem: AdmittedItemRefDto | null = null,
): ApplicationDto {
  return {
    id: a.id,
    applicantUnitId: a.applicantUnitId,
    createdBy: a.createdBy,
    status: a.status,
    instanceId: a.instanceId,
    kind: a.kind,
    title: a.title,
    content: a.content,
    legalBasisDocument: a.legalBasisDocument,
    legalBasisArticle: a.legalBasisArticle,
    statutoryArea: a.statutoryArea,
    targetScope: a.targetScope,
    targetUnitId: a.targetUnitId,
    targetCommunityIds: a.targetCommunityIds,
    authorizedContent: a.authorizedContent,
    targetPopulation: a.targetPopulation,
    powers: a.powers,
    startDate: a.startDate,
    endDate: a.endDate,
    workloadHoursPerMonth: a.workloadHoursPerMonth,
    frequency: a.frequency,
    fundingPerCommunityFen: a.fundingPerCommunityFen,
    fundingSource: a.fundingSource,
    supportOffered: a.supportOffered,
    contactName: a.contactName,
    contactPhone: a.contactPhone,
    reportFields: a.reportFields,
    regularizesItemId: a.regularizesItemId,
    certificateName: a.certificateName ?? null,
    noticeWorkingDays: a.noticeWorkingDays ?? null,
    admittedItem: admittedItem && { id: admittedItem.id, admissionNumber: admittedItem.admissionNumber },
    findings: a.findings.map((f) => ({ ...f, code: f.code ?? f.check })),
    changesSinceSubmission: a.changesSinceSubmission,
    pendingChanges:
      a.status === 'returned' && a.submittedSnapshot
        ? snapshotDiff(a.submittedSnapshot, snapshotOf(a))
        : null,
    decisionReason: a.decisionReason,
    submittedAt: a.submittedAt,
    deficiencies: (a.deficiencies ?? []).map((d) =>
      d.field ? { field: d.field, problem: d.problem } : { problem: d.problem },
    ),
    returnedStep: a.returnedStep ?? null,
    returnedAt: a.returnedAt ?? null,
    terminatedAt: a.terminatedAt ?? null,
    withdrawnAt: a.withdrawnAt ?? null,
    withdrawalReason: a.withdrawalReason ?? null,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export class AttachmentDto {
  @ApiProperty() id: string;
  @ApiProperty() applicationId: string;
  @ApiProperty() fileName: string;
  @ApiProperty() contentType: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'SHA-256 of the content, hex' }) sha256: string;
  @ApiProperty() uploadedBy: string;
  @ApiProperty() uploadedAt: Date;
}

export function toAttachmentDto(a: Omit<ApplicationAttachment, 'content'>): AttachmentDto {
  return {
    id: a.id,
    applicationId: a.applicationId,
    fileName: a.fileName,
    contentType: a.contentType,
    sizeBytes: a.sizeBytes,
    sha256: a.sha256,
    uploadedBy: a.uploadedBy,
    uploadedAt: a.uploadedAt,
  };
}

/** An open step of an application's case, with who holds it (OpenStep). */
export class ApplicationStepDto {
  @ApiProperty({ description: 'The step’s task (GET /tasks/:id)' }) taskId: string;
  @ApiProperty({ example: 'completeness', description: 'The step in the flow (workflows/admission.bpmn)' })
  elementId: string;
  @ApiProperty({ nullable: true, type: String, example: '领导小组办公室完整性审查' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who holds it; null: its group may claim it' })
  assigneeId: string | null;
  @ApiProperty({ nullable: true, type: String, example: '王民（区领导小组办公室）' }) assigneeName:
    string | null;
}

/** A row of GET /applications: the application with what a review queue shows of it. */
export class ApplicationListItemDto extends ApplicationDto {
  @ApiProperty({ example: '东湖区卫生健康委员会', description: 'The applicant department’s name' })
  applicantUnitName: string;
  @ApiProperty({
    type: [ApplicationStepDto],
    description:
      'Where its case is now: its open steps (a countersign: one per member unit), oldest first, each with who holds it. Empty when no step is open, or when the reader may not see the case (the rule of GET /workflow-instances/:id)',
  })
  currentSteps: ApplicationStepDto[];
}

export function toApplicationListItemDto(
  x: ListedApplication,
  admittedItem: AdmittedItemRefDto | null = null,
): ApplicationListItemDto {
  return {
    ...toApplicationDto(x.application, admittedItem),
    applicantUnitName: x.applicantUnitName,
    currentSteps: x.currentSteps.map((s) => ({
      taskId: s.taskId,
      elementId: s.elementId,
      name: s.name,
      assigneeId: s.assigneeId,
      assigneeName: s.assigneeName,
    })),
  };
}
