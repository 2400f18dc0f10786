import { ApiProperty } from '@nestjs/swagger';
import { ApplicationKind, type Finding } from '../admission-application.entity.js';
import type { AdmittedItem, CommunityFunding } from '../admitted-item.entities.js';
import type { ExitOrigin, ExitProposal, ItemEvaluation } from '../exit.entities.js';

/**
 * What the admission routes answer about admitted items: the public register, an item and its communities, funding
 * transfers, evaluations and exit proposals. Each class is exactly what goes on the wire (the console is
 * generated from the OpenAPI); each `toXDto` copies the fields a client may see and nothing else.
 */

/** One item of the public register as the register service reads it (RegisterService.inForce). */
export interface RegisterEntry {
  id: string;
  applicationId: string | null;
  admissionNumber: string;
  emergency: boolean;
  title: string;
  kind: string;
  statutoryArea: string;
  legalBasis: string | null;
  authorizedContent: string;
  targetPopulation: string;
  powers: string;
  startDate: string;
  endDate: string;
  fundingPerCommunityFen: number;
  fundingSource: string | null;
  noticeWorkingDays: number | null;
  communities: {
    code: string;
    name: string;
    street: string | null;
    fundingStatus: string;
    enteredAt: string | null;
  }[];
}

const FUNDING_STATES: CommunityFunding[] = ['not_required', 'awaiting', 'confirmed', 'lapsed', 'overdue'];

/** A community's funding as the pages show it (funding-views.service.ts says how it is derived). */
export type FundingState = 'not_required' | 'none' | 'registered' | 'confirmed' | 'lapsed' | 'overdue';
export const FUNDING_STATE_VALUES: FundingState[] = [
  'not_required',
  'none',
  'registered',
  'confirmed',
  'lapsed',
  'overdue',
];
/** A registered transfer: waiting for finance, confirmed, void because the community lapsed, or superseded by another. */
export type TransferState = 'awaiting' | 'confirmed' | 'lapsed' | 'superseded';
export const TRANSFER_STATE_VALUES: TransferState[] = ['awaiting', 'confirmed', 'lapsed', 'superseded'];
export const FUNDING_STATE_DOC =
  'not_required: no funding due; none: due, no transfer registered yet; registered: a transfer waits for finance; confirmed; lapsed: the window closed unfunded, the regular item never entered; overdue: an emergency item’s window closed unfunded — it stays in force and the funding stays owed';

export class RegisterCommunityDto {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String, description: 'The street (parent unit) it belongs to' })
  street: string | null;
  @ApiProperty({ enum: FUNDING_STATES }) fundingStatus: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the item entered the community' })
  enteredAt: string | null;
}

export class RegisterEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'The application it was admitted from' })
  applicationId: string | null;
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
  @ApiProperty({ nullable: true, type: String, description: 'Where the funding comes from' })
  fundingSource: string | null;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description:
      '派单提前期: work sent under the item leaves at least this many working days before its due date; null: the default of 3',
  })
  noticeWorkingDays: number | null;
  @ApiProperty({
    type: [RegisterCommunityDto],
    description: 'The communities it is in force in (those the query named), each with its street',
  })
  communities: RegisterCommunityDto[];
}

export function toRegisterEntryDto(e: RegisterEntry): RegisterEntryDto {
  return {
    id: e.id,
    applicationId: e.applicationId,
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
    fundingSource: e.fundingSource,
    noticeWorkingDays: e.noticeWorkingDays,
    communities: e.communities.map((c) => ({
      code: c.code,
      name: c.name,
      street: c.street,
      fundingStatus: c.fundingStatus,
      enteredAt: c.enteredAt,
    })),
  };
}

/** An admitted item (准入事项) without its communities: what an emergency admission answers. */

/** An override as the public item page shows it: the role and unit, when and why — no account or unit ids. */
export class PublicFindingOverrideDto {
  @ApiProperty({ enum: ['office', 'leader'], description: 'The office, or the principal leader' })
  role: 'office' | 'leader';
  @ApiProperty() unitName: string;
  @ApiProperty({ description: 'When (ISO instant)' }) at: string;
  @ApiProperty({ description: 'The written reason' }) reason: string;
}

export class PublicOverriddenFindingDto {
  @ApiProperty({ example: 'lead-time' }) code: string;
  @ApiProperty({ enum: ['statutory-scope', 'negative-list', 'duplicates', 'lead-time'] }) check: string;
  @ApiProperty({ enum: ['pass', 'warn', 'fail'] }) result: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: PublicFindingOverrideDto }) override: PublicFindingOverrideDto;
}

function publicOverride(f: Finding): PublicOverriddenFindingDto {
  const o = f.override!;
  return {
    code: f.code ?? f.check,
    check: f.check,
    result: f.result,
    message: f.message,
    override: { role: o.role, unitName: o.unitName, at: o.at, reason: o.reason },
  };
}

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
  @ApiProperty({ nullable: true, type: String, description: 'Where the funding comes from' })
  fundingSource: string | null;
  @ApiProperty({ type: [String] }) reportFields: string[];
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description:
      '派单提前期: work sent under the item leaves at least this many working days before its due date; null: the default of 3',
  })
  noticeWorkingDays: number | null;
  @ApiProperty() signedAt: Date;
  @ApiProperty({ description: 'Funding not confirmed by then lapses' }) fundingDeadline: Date;
  @ApiProperty({ nullable: true, type: Date }) exitedAt: Date | null;
  @ApiProperty({ nullable: true, type: String }) exitReason: string | null;
  @ApiProperty({
    type: [PublicOverriddenFindingDto],
    description:
      'The failing automatic checks overridden before the signature, each with the role and unit that overrode it, when and why',
  })
  overriddenFindings: PublicOverriddenFindingDto[];
}

/** One target community of an item with its funding, as FundingViews.ofItem reads it. */
export interface ItemCommunityFunding {
  communityId: string;
  code: string;
  name: string;
  street: string | null;
  fundingDueFen: number;
  fundingStatus: string;
  fundingState: FundingState;
  registeredFen: number;
  confirmedFen: number;
  fundingDeadline: Date | null;
  enteredAt: Date | null;
  lapsedAt: Date | null;
  exitedAt: Date | null;
  /** Why the item left this community, when an exit ended it here. */
  exitReason: string | null;
}

export class ItemCommunityDto {
  @ApiProperty() communityId: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String, description: 'The street (parent unit) it belongs to' })
  street: string | null;
  @ApiProperty({ description: 'In fen' }) fundingDueFen: number;
  @ApiProperty({ enum: FUNDING_STATES, description: 'The stored state (fundingState says it for people)' })
  fundingStatus: string;
  @ApiProperty({ enum: FUNDING_STATE_VALUES, description: FUNDING_STATE_DOC }) fundingState: FundingState;
  @ApiProperty({ description: 'Registered, not yet confirmed, in fen' }) registeredFen: number;
  @ApiProperty({ description: 'Confirmed by finance, in fen' }) confirmedFen: number;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'By when finance must confirm the funding; null when none is due',
  })
  fundingDeadline: Date | null;
  @ApiProperty({ nullable: true, type: Date }) enteredAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lapsedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) exitedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why the item left this community: the reason of the exit approved by the leading group',
  })
  exitReason: string | null;
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
    fundingSource: i.fundingSource,
    reportFields: i.reportFields,
    noticeWorkingDays: i.noticeWorkingDays ?? null,
    signedAt: i.signedAt,
    fundingDeadline: i.fundingDeadline,
    exitedAt: i.exitedAt,
    exitReason: i.exitReason,
    overriddenFindings: (i.overriddenFindings ?? []).map(publicOverride),
  };
}

export function toAdmittedItemDto(
  i: Omit<AdmittedItem, 'fundingPerCommunityFen'> & {
    fundingPerCommunityFen: string | number;
    communities: ItemCommunityFunding[];
  },
): AdmittedItemDto {
  return {
    ...toAdmittedItemSummaryDto(i),
    communities: i.communities.map((c) => ({
      communityId: c.communityId,
      code: c.code,
      name: c.name,
      street: c.street,
      fundingDueFen: c.fundingDueFen,
      fundingStatus: c.fundingStatus,
      fundingState: c.fundingState,
      registeredFen: c.registeredFen,
      confirmedFen: c.confirmedFen,
      fundingDeadline: c.fundingDeadline,
      enteredAt: c.enteredAt,
      lapsedAt: c.lapsedAt,
      exitedAt: c.exitedAt,
      exitReason: c.exitReason,
    })),
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
