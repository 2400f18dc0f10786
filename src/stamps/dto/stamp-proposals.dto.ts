import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { PROPOSAL_STATES, type ProposalState } from '../stamp-proposal.entity.js';
import { LIST_TYPES, type ListType } from '../stamp-registry.entities.js';
import { StampScopeDto, StampTimeLimitDto } from './stamp-items.dto.js';
import { StampSampleFormRefDto } from './stamp-sample-forms.dto.js';

/*
 * The body of a proposal is checked field by field in the service (stamp-change-validation.ts), which imports
 * share: the classes below the body document its shape in the OpenAPI.
 */

export class StampEntryInputDto {
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Its number in the document' }) seq?:
    number | null;
  @ApiProperty({ maxLength: 100, example: '居住证明' }) name: string;
  @ApiPropertyOptional({ type: [String], description: 'Names people use for it (at most 20)' })
  aliases?: string[];
  @ApiProperty({ description: '设定依据: the law and article, or the list itself' }) legalBasis: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: '办理用途' }) purpose?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: '办理条件和所需材料' }) conditions?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: '具体流程' }) procedure?: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      '证明式样: the id answered by POST /stamp-sample-forms, uploaded by the proposing office (or already published); another unit’s or an unknown id answers 400 naming the field',
  })
  sampleFormAttachmentId?: string | null;
  @ApiPropertyOptional({
    type: StampTimeLimitDto,
    nullable: true,
    description: '办理时限: {kind: on-the-spot} or {kind: working-days, workingDays: 1..60}',
  })
  timeLimit?: { kind: 'on-the-spot' } | { kind: 'working-days'; workingDays: number } | null;
  @ApiPropertyOptional({
    example: '2027-01-01',
    description:
      'First day in force (default: the list’s); for a change, required: the new version’s first day',
  })
  effectiveFrom?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Last day in force; null: open-ended' })
  effectiveTo?: string | null;
}

export class StampListInputDto {
  @ApiProperty({ maxLength: 300 }) title: string;
  @ApiProperty({ maxLength: 100, description: '文号' }) documentNumber: string;
  @ApiProperty({ maxLength: 300, description: '发文机关' }) issuedBy: string;
  @ApiProperty({ description: '成文日期: YYYY-MM-DD or YYYY-MM' }) issuedOn: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'http(s) link to the document' }) link?:
    string | null;
  @ApiProperty({ enum: LIST_TYPES }) listType: ListType;
  @ApiProperty({ example: '2027-01-01' }) effectiveFrom: string;
  @ApiPropertyOptional({ type: String, nullable: true }) effectiveTo?: string | null;
}

export class StampChangeInputDto {
  @ApiProperty({
    enum: ['new-list', 'add-entries', 'change-entry', 'retire-entry', 'retire-list'],
    description:
      'new-list: list + entries; add-entries: listKey + entries; change-entry: entryKey + change (effectiveFrom required); retire-entry: entryKey + lastDay; retire-list: listKey + lastDay',
  })
  kind: string;
  @ApiPropertyOptional({ type: StampListInputDto }) list?: StampListInputDto;
  @ApiPropertyOptional({ type: [StampEntryInputDto] }) entries?: StampEntryInputDto[];
  @ApiPropertyOptional() listKey?: string;
  @ApiPropertyOptional() entryKey?: string;
  @ApiPropertyOptional({
    type: StampEntryInputDto,
    description: 'Only the fields that change, and effectiveFrom',
  })
  change?: StampEntryInputDto;
  @ApiPropertyOptional({ description: 'The last day in force (inclusive) of a retired entry or list' })
  lastDay?: string;
}

export class CreateStampProposalDto {
  @ApiProperty({
    example: '3399',
    description:
      "The division the change is in: '' national, 2/4/6 digits. A district office: its district; the city office: its city, its province or national (citing the document)",
  })
  @IsString()
  @MaxLength(6)
  scopeCode: string;

  @ApiProperty({
    maxLength: 2000,
    description: 'What the office says about the change (the leader reads it)',
  })
  @IsString()
  @MaxLength(2000)
  summary: string;

  @ApiProperty({ type: [StampChangeInputDto], description: 'At least one change, at most 200' })
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  changes: Record<string, unknown>[];
}

export class StampProposalQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROPOSAL_STATES })
  @IsOptional()
  @IsIn([...PROPOSAL_STATES])
  state?: ProposalState;
}

export class StampListQuery extends PageQuery {
  @ApiPropertyOptional({ description: "'national', or a 2/4/6-digit division code", example: '3399' })
  @IsOptional()
  @Matches(/^(national|\d{2}|\d{4}|\d{6})$/, {
    message:
      '适用范围（scope）须为 national 或 2、4、6 位区划代码。scope must be national or a 2, 4 or 6-digit division code.',
  })
  scope?: string;

  @ApiPropertyOptional({ enum: LIST_TYPES })
  @IsOptional()
  @IsIn([...LIST_TYPES])
  type?: ListType;
}

export class ProposedStampChangeDto {
  @ApiProperty() proposalId: string;
  @ApiProperty({ description: 'The approval case (workflows/stamp-list.bpmn): /console/cases/:id' })
  instanceId: string;
}

export class FieldDiffDto {
  @ApiProperty({ example: 'legalBasis' }) field: string;
  @ApiProperty({ example: '设定依据' }) label: string;
  @ApiProperty({ type: String, nullable: true, description: 'In force before (null: nothing)' }) before:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'After the change (null: nothing)' }) after:
    string | null;
}

export class DiffListDto {
  @ApiProperty({ type: String, nullable: true, description: 'null: a new list' }) listKey: string | null;
  @ApiProperty() title: string;
  @ApiProperty() documentNumber: string;
  @ApiProperty({ enum: LIST_TYPES }) listType: ListType;
  @ApiProperty() scopeCode: string;
}

export class DiffEntryDto {
  @ApiProperty({ type: String, nullable: true }) entryKey: string | null;
  @ApiProperty() name: string;
  @ApiProperty({ type: [FieldDiffDto] }) fields: FieldDiffDto[];
}

export class DiffEntryRefDto {
  @ApiProperty() entryKey: string;
  @ApiProperty() name: string;
}

export class ChangeDiffDto {
  @ApiProperty({ enum: ['new-list', 'add-entries', 'change-entry', 'retire-entry', 'retire-list'] })
  kind: string;
  @ApiProperty({ example: '修改事项' }) kindName: string;
  @ApiProperty({
    description: 'The first day the change shows in the answers (a retirement: the day after its last day)',
  })
  effectiveDate: string;
  @ApiProperty({ type: DiffListDto }) list: DiffListDto;
  @ApiProperty({
    type: [FieldDiffDto],
    description: 'The list’s fields (new or retired list) or the entry’s (changed or retired entry)',
  })
  fields: FieldDiffDto[];
  @ApiProperty({ type: DiffEntryRefDto, nullable: true }) entry: DiffEntryRefDto | null;
  @ApiProperty({ type: [DiffEntryDto], description: 'Entries added' }) added: DiffEntryDto[];
  @ApiProperty({ type: [DiffEntryRefDto], description: 'Entries leaving the answers' })
  retired: DiffEntryRefDto[];
  @ApiProperty({
    type: [String],
    description: 'What the leader should know (a same-named entry, a duplicate document)',
  })
  notes: string[];
}

export class StampProposalDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PROPOSAL_STATES }) state: ProposalState;
  @ApiProperty({ example: '待审批' }) stateName: string;
  @ApiProperty({ type: StampScopeDto }) scope: StampScopeDto;
  @ApiProperty() summary: string;
  @ApiProperty({ enum: ['typed', 'import'] }) origin: string;
  @ApiProperty({ example: '新增清单1项、修改事项1项' }) changesText: string;
  @ApiProperty({ type: String, nullable: true }) proposerName: string | null;
  @ApiProperty({ type: String, nullable: true }) proposerUnitName: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'The approval case' }) instanceId: string | null;
  @ApiProperty({ type: String, nullable: true }) deciderName: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The leader’s comment' }) decisionComment:
    string | null;
  @ApiProperty({ type: String, nullable: true }) publishedAt: string | null;
}

export class StampProposalDetailDto extends StampProposalDto {
  @ApiProperty({
    type: [ChangeDiffDto],
    description:
      'Per change, against what is in force on its effective date (published: as it stood just before)',
  })
  diff: ChangeDiffDto[];
}

export class StampListRowDto {
  @ApiProperty({ description: 'The list across its versions' }) listKey: string;
  @ApiProperty({ description: 'Its newest version' }) id: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty() documentNumber: string;
  @ApiProperty() issuedBy: string;
  @ApiProperty() issuedOn: string;
  @ApiProperty({ type: String, nullable: true }) link: string | null;
  @ApiProperty({ enum: LIST_TYPES }) listType: ListType;
  @ApiProperty({ type: StampScopeDto }) scope: StampScopeDto;
  @ApiProperty() effectiveFrom: string;
  @ApiProperty({ type: String, nullable: true }) effectiveTo: string | null;
  @ApiProperty({ enum: ['in-force', 'not-yet', 'ended'], description: 'Today' }) status: string;
  @ApiProperty() versions: number;
  @ApiProperty({ description: 'Entries ever in it' }) entries: number;
  @ApiProperty({ type: String, nullable: true, description: 'Where the record came from' }) recordedFrom:
    string | null;
}

export class StampListVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty() documentNumber: string;
  @ApiProperty() effectiveFrom: string;
  @ApiProperty({ type: String, nullable: true }) effectiveTo: string | null;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ type: String, nullable: true }) recordedFrom: string | null;
}

export class StampEntryVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: Number, nullable: true }) seq: number | null;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) aliases: string[];
  @ApiProperty() legalBasis: string;
  @ApiProperty({ type: String, nullable: true }) purpose: string | null;
  @ApiProperty({ type: String, nullable: true }) conditions: string | null;
  @ApiProperty({ type: String, nullable: true }) procedure: string | null;
  @ApiProperty({ type: String, nullable: true, description: '办理时限 in Chinese' }) timeLimit: string | null;
  @ApiProperty({
    type: StampSampleFormRefDto,
    nullable: true,
    description: '证明式样: its file name and public download address; null: none given',
  })
  sampleForm: StampSampleFormRefDto | null;
  @ApiProperty() effectiveFrom: string;
  @ApiProperty({ type: String, nullable: true }) effectiveTo: string | null;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ type: [FieldDiffDto], description: 'What this version changed against the one before' })
  changes: FieldDiffDto[];
}

export class StampEntryHistoryDto {
  @ApiProperty() entryKey: string;
  @ApiProperty({ description: 'The name of the version answering today (none begun yet: the newest)' })
  name: string;
  @ApiProperty({ enum: ['in-force', 'not-yet', 'ended'], description: 'Of its newest version, today' })
  status: string;
  @ApiProperty({ description: 'The number of the version answering today (none begun yet: the newest)' })
  currentVersion: number;
  @ApiProperty({ type: [StampEntryVersionDto], description: 'Oldest first' })
  versions: StampEntryVersionDto[];
}

export class StampListDetailDto extends StampListRowDto {
  @ApiProperty({ type: [StampListVersionDto], description: 'Oldest first' })
  listVersions: StampListVersionDto[];
  @ApiProperty({ type: [StampEntryHistoryDto] }) entryHistory: StampEntryHistoryDto[];
}

export class ProposableScopesDto {
  @ApiProperty({
    type: [StampScopeDto],
    description:
      'A district office: its district; the city office: national, its province, its city; others: none',
  })
  scopes: StampScopeDto[];
}
