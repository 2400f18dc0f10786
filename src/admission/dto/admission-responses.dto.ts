import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AdmissionApplication, ApplicationStatus } from '../admission-application.entity.js';
import { ApplicationKind } from '../admission-application.entity.js';
import type { ApplicationAttachment } from '../attachment.entity.js';
import type { AdmittedItem, CommunityFunding, FundingTransfer } from '../admitted-item.entities.js';
import type { ExitOrigin, ExitProposal, ItemEvaluation } from '../exit.entities.js';
import type { NegativeListChange, NegativeListItem, StatutoryArea } from '../reference.entities.js';
import type { RegisterEntry } from '../register.service.js';

/**
 * What the admission routes answer. Each class is exactly what goes on the wire (the console is generated from the
 * OpenAPI); each `toXDto` copies the fields a client may see and nothing else.
 */

const APPLICATION_STATUSES: ApplicationStatus[] = [
  'draft',
  'in_review',
  'returned',
  'rejected',
  'awaiting_funding',
  'admitted',
  'withdrawn',
];

export class FindingDto {
  @ApiProperty({ enum: ['statutory-scope', 'negative-list', 'duplicates', 'lead-time'] }) check: string;
  @ApiProperty({ enum: ['pass', 'warn', 'fail'] }) result: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: Object, description: 'What the check found (an object or a list of them)' })
  details?: unknown;
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
  @ApiProperty({ type: [FindingDto], description: 'The automatic checks’ findings' }) findings: FindingDto[];
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'Field → { before, after }: what changed since the last submission',
  })
  changesSinceSubmission: Record<string, { before: unknown; after: unknown }> | null;
  @ApiProperty({ nullable: true, type: String }) decisionReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) submittedAt: Date | null;
  @ApiProperty({ description: 'Send it back with a change; a stale one answers 409 CONCURRENT_UPDATE' })
  version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

/** The application as a client sees it (the last submitted snapshot stays inside). */
export function toApplicationDto(a: AdmissionApplication): ApplicationDto {
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
    findings: a.findings,
    changesSinceSubmission: a.changesSinceSubmission,
    decisionReason: a.decisionReason,
    submittedAt: a.submittedAt,
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

export class StatutoryAreaDto {
  @ApiProperty() code: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty() source: string;
}

export function toStatutoryAreaDto(a: StatutoryArea): StatutoryAreaDto {
  return { code: a.code, nameZh: a.nameZh, nameEn: a.nameEn, source: a.source };
}

export class NegativeListItemDto {
  @ApiProperty() code: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty({ description: '`any kind`, or the application kind it concerns' }) appliesTo: string;
  @ApiProperty({ type: [String] }) keywords: string[];
  @ApiProperty() source: string;
  @ApiProperty() active: boolean;
}

export function toNegativeListItemDto(n: NegativeListItem): NegativeListItemDto {
  return {
    code: n.code,
    nameZh: n.nameZh,
    nameEn: n.nameEn,
    appliesTo: n.appliesTo,
    keywords: n.keywords,
    source: n.source,
    active: n.active,
  };
}

export class NegativeListChangeInfoDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['add', 'update', 'deactivate'] }) action: 'add' | 'update' | 'deactivate';
  @ApiProperty() code: string;
  @ApiProperty({ nullable: true, type: Object, description: 'The entry proposed (add, update)' })
  entry: Record<string, unknown> | null;
  @ApiProperty() reason: string;
  @ApiProperty() proposedBy: string;
  @ApiProperty({ nullable: true, type: String }) instanceId: string | null;
  @ApiProperty({ enum: ['open', 'applied', 'rejected'] }) status: 'open' | 'applied' | 'rejected';
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) decidedAt: Date | null;
}

export function toNegativeListChangeInfoDto(c: NegativeListChange): NegativeListChangeInfoDto {
  return {
    id: c.id,
    action: c.action,
    code: c.code,
    entry: c.entry,
    reason: c.reason,
    proposedBy: c.proposedBy,
    instanceId: c.instanceId,
    status: c.status,
    createdAt: c.createdAt,
    decidedAt: c.decidedAt,
  };
}

const FUNDING_STATES: CommunityFunding[] = ['not_required', 'awaiting', 'confirmed', 'lapsed'];

export class RegisterCommunityDto {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: FUNDING_STATES }) fundingStatus: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the item entered the community' })
  enteredAt: string | null;
}

export class RegisterEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: '准入〔2027〕3号' }) admissionNumber: string;
  @ApiProperty() emergency: boolean;
  @ApiProperty() title: string;
  @ApiProperty({ enum: ApplicationKind }) kind: string;
  @ApiProperty() statutoryArea: string;
  @ApiProperty({ nullable: true, type: String }) legalBasis: string | null;
  @ApiProperty() authorizedContent: string;
  @ApiProperty() targetPopulation: string;
  @ApiProperty() powers: string;
  @ApiProperty({ description: 'YYYY-MM-DD' }) startDate: string;
  @ApiProperty({ description: 'YYYY-MM-DD' }) endDate: string;
  @ApiProperty({ description: 'In fen' }) fundingPerCommunityFen: number;
  @ApiProperty({ type: [RegisterCommunityDto], description: 'The communities it is in force in' })
  communities: RegisterCommunityDto[];
}

export function toRegisterEntryDto(e: RegisterEntry): RegisterEntryDto {
  return {
    id: e.id,
    admissionNumber: e.admissionNumber,
    emergency: e.emergency,
    title: e.title,
    kind: e.kind,
    statutoryArea: e.statutoryArea,
    legalBasis: e.legalBasis,
    authorizedContent: e.authorizedContent,
    targetPopulation: e.targetPopulation,
    powers: e.powers,
    startDate: e.startDate,
    endDate: e.endDate,
    fundingPerCommunityFen: e.fundingPerCommunityFen,
    communities: e.communities.map((c) => ({
      code: c.code,
      name: c.name,
      fundingStatus: c.fundingStatus,
      enteredAt: c.enteredAt,
    })),
  };
}

/** An admitted item (准入事项) without its communities: what an emergency admission answers. */
export class AdmittedItemSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'None for an emergency admission' })
  applicationId: string | null;
  @ApiProperty() emergency: boolean;
  @ApiProperty({ nullable: true, type: String }) emergencyReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The regular item that took this one’s place' })
  regularizedByItemId: string | null;
  @ApiProperty() leadingGroupId: string;
  @ApiProperty() departmentId: string;
  @ApiProperty() admissionNumber: string;
  @ApiProperty({ enum: ApplicationKind }) kind: string;
  @ApiProperty() title: string;
  @ApiProperty() statutoryArea: string;
  @ApiProperty({ nullable: true, type: String }) legalBasis: string | null;
  @ApiProperty() authorizedContent: string;
  @ApiProperty() targetPopulation: string;
  @ApiProperty() powers: string;
  @ApiProperty({ description: 'YYYY-MM-DD' }) startDate: string;
  @ApiProperty({ description: 'YYYY-MM-DD' }) endDate: string;
  @ApiProperty({ description: 'In fen' }) fundingPerCommunityFen: number;
  @ApiProperty({ type: [String] }) reportFields: string[];
  @ApiProperty() signedAt: Date;
  @ApiProperty({ description: 'Funding not confirmed by then lapses' }) fundingDeadline: Date;
  @ApiProperty({ nullable: true, type: Date }) exitedAt: Date | null;
  @ApiProperty({ nullable: true, type: String }) exitReason: string | null;
}

export class ItemCommunityDto {
  @ApiProperty() communityId: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'In fen' }) fundingDueFen: number;
  @ApiProperty({ enum: FUNDING_STATES }) fundingStatus: string;
  @ApiProperty({ nullable: true, type: Date }) enteredAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lapsedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) exitedAt: Date | null;
}

export class AdmittedItemDto extends AdmittedItemSummaryDto {
  @ApiProperty({ type: [ItemCommunityDto] }) communities: ItemCommunityDto[];
}

/** The item's own numbering (year, sequence) stays inside: its admission number says it. */
export function toAdmittedItemSummaryDto(
  i: Omit<AdmittedItem, 'fundingPerCommunityFen'> & { fundingPerCommunityFen: string | number },
): AdmittedItemSummaryDto {
  return {
    id: i.id,
    applicationId: i.applicationId,
    emergency: i.emergency,
    emergencyReason: i.emergencyReason,
    regularizedByItemId: i.regularizedByItemId,
    leadingGroupId: i.leadingGroupId,
    departmentId: i.departmentId,
    admissionNumber: i.admissionNumber,
    kind: i.kind,
    title: i.title,
    statutoryArea: i.statutoryArea,
    legalBasis: i.legalBasis,
    authorizedContent: i.authorizedContent,
    targetPopulation: i.targetPopulation,
    powers: i.powers,
    startDate: i.startDate,
    endDate: i.endDate,
    fundingPerCommunityFen: Number(i.fundingPerCommunityFen),
    reportFields: i.reportFields,
    signedAt: i.signedAt,
    fundingDeadline: i.fundingDeadline,
    exitedAt: i.exitedAt,
    exitReason: i.exitReason,
  };
}

export function toAdmittedItemDto(
  i: Omit<AdmittedItem, 'fundingPerCommunityFen'> & {
    fundingPerCommunityFen: string | number;
    communities: ItemCommunityDto[];
  },
): AdmittedItemDto {
  return {
    ...toAdmittedItemSummaryDto(i),
    communities: i.communities.map((c) => ({
      communityId: c.communityId,
      code: c.code,
      name: c.name,
      fundingDueFen: c.fundingDueFen,
      fundingStatus: c.fundingStatus,
      enteredAt: c.enteredAt,
      lapsedAt: c.lapsedAt,
      exitedAt: c.exitedAt,
    })),
  };
}

export class FundingTransferDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty() communityId: string;
  @ApiProperty({ description: 'In fen, a whole number written as a string' }) amountFen: string;
  @ApiProperty() account: string;
  @ApiProperty() reference: string;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty() registeredBy: string;
  @ApiProperty() registeredAt: Date;
  @ApiProperty({ nullable: true, type: String }) confirmedBy: string | null;
  @ApiProperty({ nullable: true, type: Date, description: 'When finance confirmed the money arrived' })
  confirmedAt: Date | null;
}

export function toFundingTransferDto(t: FundingTransfer): FundingTransferDto {
  return {
    id: t.id,
    itemId: t.itemId,
    communityId: t.communityId,
    amountFen: t.amountFen,
    account: t.account,
    reference: t.reference,
    idempotencyKey: t.idempotencyKey,
    registeredBy: t.registeredBy,
    registeredAt: t.registeredAt,
    confirmedBy: t.confirmedBy,
    confirmedAt: t.confirmedAt,
  };
}

export class ExitProposalInfoDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null: the whole item' }) communityId:
    string | null;
  @ApiProperty({ enum: ['community', 'department', 'office', 'evaluation'] }) origin: ExitOrigin;
  @ApiProperty() reason: string;
  @ApiProperty({ nullable: true, type: String }) proposedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) instanceId: string | null;
  @ApiProperty({ enum: ['open', 'exited', 'kept'] }) status: 'open' | 'exited' | 'kept';
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) decidedAt: Date | null;
}

export function toExitProposalInfoDto(p: ExitProposal): ExitProposalInfoDto {
  return {
    id: p.id,
    itemId: p.itemId,
    communityId: p.communityId,
    origin: p.origin,
    reason: p.reason,
    proposedBy: p.proposedBy,
    instanceId: p.instanceId,
    status: p.status,
    createdAt: p.createdAt,
    decidedAt: p.decidedAt,
  };
}

export class ItemEvaluationResultDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty() communityId: string;
  @ApiProperty() period: string;
  @ApiProperty() respondents: number;
  @ApiProperty() satisfied: number;
  @ApiProperty({ description: 'Per cent satisfied, two decimals' }) satisfaction: number;
  @ApiProperty() recordedBy: string;
  @ApiProperty() recordedAt: Date;
  @ApiProperty({
    type: ExitProposalInfoDto,
    nullable: true,
    description: 'The exit proposal opened because satisfaction fell below the threshold',
  })
  exitProposal: ExitProposalInfoDto | null;
}

export function toItemEvaluationResultDto(
  e: Omit<ItemEvaluation, 'satisfaction'> & { satisfaction: number; exitProposal: ExitProposal | null },
): ItemEvaluationResultDto {
  return {
    id: e.id,
    itemId: e.itemId,
    communityId: e.communityId,
    period: e.period,
    respondents: e.respondents,
    satisfied: e.satisfied,
    satisfaction: e.satisfaction,
    recordedBy: e.recordedBy,
    recordedAt: e.recordedAt,
    exitProposal: e.exitProposal && toExitProposalInfoDto(e.exitProposal),
  };
}
