import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDateString,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { FieldNames, INT32_MAX, IsDecimal, NullAsAbsent, SingleLine } from '../../common/validation.js';
import { ApplicationKind } from '../admission-application.entity.js';
import { FORM_FIELDS } from '../application-fields.js';

const MAX_FEN = 1_000_000_000_00; // 10 亿元 per community: far above any real amount

/**
 * The application form (准入审批表). Every field may be missing in a draft; submission needs them all. Null clears a
 * field of the draft.
 */
export class ApplicationFieldsDto {
  @ApiPropertyOptional({ enum: ApplicationKind })
  @IsOptional()
  @IsEnum(ApplicationKind)
  kind?: ApplicationKind;
  @ApiPropertyOptional({ example: '老年人健康服务入户随访' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000) content?: string;
  @ApiPropertyOptional({ example: '国卫基层发〔2025〕1号' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  legalBasisDocument?: string;
  @ApiPropertyOptional({ example: '第三条' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  legalBasisArticle?: string;
  @ApiPropertyOptional({ description: 'A statutory area code (GET /admission/statutory-areas), or "other"' })
  @IsOptional()
  @IsString()
  @MaxLength(48)
  statutoryArea?: string;
  @ApiPropertyOptional({
    enum: ['all', 'list'],
    description: 'all: every community under targetUnitId; list: targetCommunityIds',
  })
  @IsOptional()
  @IsIn(['all', 'list'])
  targetScope?: 'all' | 'list';
  @ApiPropertyOptional() @IsOptional() @IsUUID() targetUnitId?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  targetCommunityIds?: string[];
  @ApiPropertyOptional({ description: '授权内容' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  authorizedContent?: string;
  @ApiPropertyOptional({ description: '对象' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  targetPopulation?: string;
  @ApiPropertyOptional({ description: '权限' }) @IsOptional() @IsString() @MaxLength(2000) powers?: string;
  @ApiPropertyOptional({ example: '2027-03-01' })
  @IsOptional()
  @IsDateString({ strict: true })
  startDate?: string;
  @ApiPropertyOptional({ example: '2027-12-31' })
  @IsOptional()
  @IsDateString({ strict: true })
  endDate?: string;
  @ApiPropertyOptional({ description: 'Expected hours of work per community per month', example: 6 })
  @IsOptional()
  @IsDecimal(1)
  @Min(0)
  @Max(744)
  workloadHoursPerMonth?: number;
  @ApiPropertyOptional({ example: '每月一次' }) @IsOptional() @IsString() @MaxLength(100) frequency?: string;
  @ApiPropertyOptional({ description: 'Funding per community in fen (分), a whole number', example: 500000 })
  @IsOptional()
  @IsInt({
    message:
      'fundingPerCommunityFen 须为以“分”计的整数。fundingPerCommunityFen must be a whole number of fen.',
  })
  @Min(0)
  @Max(MAX_FEN)
  fundingPerCommunityFen?: number;
  @ApiPropertyOptional({ example: '区财政专项' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fundingSource?: string;
  @ApiPropertyOptional({ description: 'Staff, training, materials offered' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  supportOffered?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) contactName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) contactPhone?: string;
  @ApiPropertyOptional({
    description: 'An emergency item this application regularizes (takes the place of once admitted)',
  })
  @IsOptional()
  @IsUUID()
  regularizesItemId?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'For a report or ledger (报表台账): the fields committees would fill',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  @FieldNames()
  @SingleLine()
  reportFields?: string[];

  @ApiPropertyOptional({
    description:
      'For a stamp demand (kind stamp, 盖章证明): the certificate committees would issue, as the stamp registry names it (GET /stamp-items); required to submit one',
    example: '居住证明',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'certificateName 不能为空白。certificateName may not be blank.' })
  @MaxLength(100, { message: 'certificateName 最多 100 字。certificateName is at most 100 characters.' })
  certificateName?: string;

  @ApiPropertyOptional({
    description:
      '派单提前期: the working days at least between sending work under the item and its due date (1–30); absent or null: 3',
    example: 5,
    minimum: 1,
    maximum: 30,
    type: 'integer',
  })
  @IsOptional()
  @IsInt({
    message:
      '派单提前期（工作日）（noticeWorkingDays）须为 1 至 30 之间的整数。noticeWorkingDays must be a whole number of working days from 1 to 30.',
  })
  @Min(1, {
    message:
      '派单提前期（工作日）（noticeWorkingDays）至少 1 个工作日。noticeWorkingDays is at least 1 working day.',
  })
  @Max(30, {
    message:
      '派单提前期（工作日）（noticeWorkingDays）最多 30 个工作日。noticeWorkingDays is at most 30 working days.',
  })
  noticeWorkingDays?: number;
}

export class UpdateApplicationDto extends ApplicationFieldsDto {
  @ApiProperty({ description: 'The version you read; a stale one answers 409 CONCURRENT_UPDATE' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class SubmitApplicationDto {
  @ApiPropertyOptional({ description: 'Note to the office (e.g. what was corrected)' })
  @NullAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

/** 撤回申请: the department's reason is required (it ends the case). */
export class WithdrawApplicationDto {
  @ApiProperty({
    description: 'Why the department withdraws its application (at most 2000 characters)',
    example: '上级已统一部署同类工作，本部门不再单独申请。',
    maxLength: 2000,
  })
  @IsString({ message: '撤回原因（reason）须为文字。reason must be text.' })
  @Matches(/\S/, {
    message: '撤回原因（reason）不能为空，请写明为什么撤回。reason may not be empty; say why.',
  })
  @MaxLength(2000, {
    message: '撤回原因（reason）最多 2000 个字符，请精简。reason is at most 2000 characters; shorten it.',
  })
  reason: string;
}

/** The fields of the form a deficiency may name (and `attachments` for the files). */
export const DEFICIENCY_FIELDS: string[] = [...FORM_FIELDS, 'attachments'];

/** One deficiency of a return (退回补正): what is wrong, and the field of the form it concerns if one does. */
export class DeficiencyDto {
  @ApiPropertyOptional({ enum: DEFICIENCY_FIELDS, description: 'The form field concerned, if one is' })
  @IsOptional()
  @IsIn(DEFICIENCY_FIELDS, {
    message: `field 须为申请表的字段名（如 title、startDate、attachments）。field must name a field of the form (e.g. title, startDate, attachments).`,
  })
  field?: string;

  @ApiProperty({ example: '法律依据条款未写明', description: 'What is wrong and what to do, in words' })
  @IsString({ message: 'problem 须为文字。problem must be text.' })
  @Matches(/\S/, { message: 'problem 不能为空，请写明问题。problem may not be blank; say what is wrong.' })
  @MaxLength(500, { message: 'problem 最多 500 字。problem is at most 500 characters.' })
  problem: string;
}

/**
 * The form of a review step that may return the application (completeness, scope, countersign, signature):
 * a return lists every deficiency at once (一次告知); an approval or rejection carries none.
 */
export class ReviewFormDto {
  @ApiPropertyOptional({
    type: [DeficiencyDto],
    description: 'With decision return: every deficiency, at once',
  })
  @IsOptional()
  @IsArray({ message: 'deficiencies 须为问题列表。deficiencies must be a list.' })
  @ArrayMaxSize(100, { message: 'deficiencies 最多 100 项。deficiencies has at most 100 entries.' })
  @ValidateNested({
    each: true,
    message:
      'deficiencies 的每一项须为对象 { field, problem }。Each deficiency is an object { field, problem }.',
  })
  @Type(() => DeficiencyDto)
  deficiencies?: DeficiencyDto[];
}
