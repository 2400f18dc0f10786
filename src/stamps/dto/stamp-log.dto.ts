/* The committee's stamp log (用印登记): what a committee records and reads, and what the street and district read. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDefined,
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { Optional, SingleLine, trimText } from '../../common/validation.js';
import type { LoggedDecision } from '../stamp-log.entities.js';

/** Spaces and hyphens between digits and a leading +86 are how people write numbers; they are not kept. */
const phone = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/[\s\u3000]/g, '').replace(/^(\+|00)86-?/, '') : value;

/** A Chinese mobile (11 digits from 13–19) or a landline with its area code (0xx(x)-xxxxxxx(x), an extension). */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$/;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayMessage = (field: string, zh: string) =>
  `${zh}（${field}）须为 YYYY-MM-DD 格式的日期，如 2027-01-04。${field} must be a day written YYYY-MM-DD.`;

export class RecordStampDto {
  @ApiProperty({
    description:
      'When the stamp was put on (ISO 8601 with a time zone, e.g. 2027-01-04T10:30:00+08:00); not in the future',
    example: '2027-01-04T10:30:00+08:00',
  })
  @IsDefined({ message: '用印时间（stampedAt）须填写。stampedAt is required.' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message:
      '用印时间（stampedAt）须为带时区的日期时间，如 2027-01-04T10:30:00+08:00。stampedAt must be a date and time with its time zone.',
  })
  @IsDateString(
    { strict: true },
    {
      message:
        '用印时间（stampedAt）须为存在的日期时间，如 2027-01-04T10:30:00+08:00。stampedAt must be a real date and time.',
    },
  )
  stampedAt: string;

  @ApiProperty({
    description: 'The certificate as typed; checked against the registry on the day of the stamp',
    example: '居住证明',
    minLength: 1,
    maxLength: 100,
  })
  @Transform(trimText)
  @IsDefined({ message: '证明名称（certificateName）须填写，如“居住证明”。certificateName is required.' })
  @IsString()
  @MinLength(1, { message: '证明名称（certificateName）不能为空。certificateName must not be empty.' })
  @MaxLength(100, {
    message: '证明名称（certificateName）不能超过 100 个字。certificateName must be at most 100 characters.',
  })
  @SingleLine()
  certificateName: string;

  @ApiProperty({ description: '用途', maxLength: 200 })
  @Transform(trimText)
  @IsDefined({ message: '用途（purpose）须填写。purpose is required.' })
  @IsString()
  @MinLength(1, { message: '用途（purpose）不能为空，请写明证明用于何处。purpose must not be empty.' })
  @MaxLength(200, { message: '用途（purpose）不能超过 200 个字。purpose must be at most 200 characters.' })
  purpose: string;

  @ApiProperty({ minimum: 1, maximum: 99, description: '份数' })
  @IsInt({ message: '份数（copies）须为 1 到 99 之间的整数。copies must be a whole number from 1 to 99.' })
  @Min(1, { message: '份数（copies）至少 1 份。copies must be at least 1.' })
  @Max(99, { message: '份数（copies）最多 99 份。copies must be at most 99.' })
  copies: number;

  @ApiProperty({ description: '申请人姓名', maxLength: 50 })
  @Transform(trimText)
  @IsDefined({ message: '申请人姓名（requesterName）须填写。requesterName is required.' })
  @IsString()
  @MinLength(1, { message: '申请人姓名（requesterName）不能为空。requesterName must not be empty.' })
  @MaxLength(50, {
    message: '申请人姓名（requesterName）不能超过 50 个字。requesterName must be at most 50 characters.',
  })
  @SingleLine()
  requesterName: string;

  @ApiProperty({
    description:
      'A mobile (13812341234) or a landline with area code (0571-87654321); spaces and +86 are dropped',
    example: '13812341234',
  })
  @Transform(phone)
  @IsDefined({ message: '申请人电话（requesterPhone）须填写。requesterPhone is required.' })
  @IsString()
  @Matches(PHONE_PATTERN, {
    message:
      '申请人电话（requesterPhone）须为 11 位手机号（如 13812341234）或带区号的固定电话（如 0571-87654321）。requesterPhone must be a mobile or a landline with its area code.',
  })
  requesterPhone: string;

  @ApiProperty({ description: '经办人: an account on the community’s stamp roster' })
  @IsUUID('all', {
    message:
      '请选择经办人（handlerId）：须为本社区用印人员名单中的一人。handlerId must be an account on the stamp roster.',
  })
  handlerId: string;

  @ApiProperty({ description: '审批人: another account on the roster (not the handler)' })
  @IsUUID('all', {
    message:
      '请选择审批人（approverId）：须为本社区用印人员名单中经办人以外的一人。approverId must be another account on the stamp roster.',
  })
  approverId: string;

  @ApiPropertyOptional({
    description:
      'Required when the registry answers not-listed (法律依据: the law and article); ignored otherwise (the registry’s legal basis is stored)',
    maxLength: 1000,
  })
  @Optional()
  @Transform(trimText)
  @IsString({ message: '法律依据（legalBasis）须为文本。legalBasis must be text.' })
  @MaxLength(1000, {
    message: '法律依据（legalBasis）不能超过 1000 个字。legalBasis must be at most 1000 characters.',
  })
  legalBasis?: string;

  @ApiPropertyOptional({
    description:
      'A correction: the entry this one replaces; it is voided in the same step with correctionReason',
  })
  @Optional()
  @IsUUID('all', {
    message: '更正的登记（correctsId）须为登记编号。correctsId must be a stamp log entry id.',
  })
  correctsId?: string;

  @ApiPropertyOptional({ description: 'Why the corrected entry was wrong (with correctsId)', maxLength: 500 })
  @Optional()
  @Transform(trimText)
  @IsString({ message: '更正理由（correctionReason）须为文本。correctionReason must be text.' })
  @MaxLength(500, {
    message:
      '更正理由（correctionReason）不能超过 500 个字。correctionReason must be at most 500 characters.',
  })
  correctionReason?: string;
}

export class VoidStampDto {
  @ApiProperty({ description: 'Why the entry is void', maxLength: 500 })
  @Transform(trimText)
  @IsDefined({ message: '作废理由（reason）须填写。reason is required.' })
  @IsString()
  @MinLength(1, { message: '作废理由（reason）不能为空。reason must not be empty.' })
  @MaxLength(500, { message: '作废理由（reason）不能超过 500 个字。reason must be at most 500 characters.' })
  reason: string;
}

export class AddStampMemberDto {
  @ApiProperty({ description: 'An active account of the community' })
  @IsUUID('all', { message: '账号（userId）须为本社区账号的编号。userId must be an account id.' })
  userId: string;
}

class StampLogRangeQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'From this day (YYYY-MM-DD, China time, inclusive)' })
  @IsOptional()
  @IsString({ message: dayMessage('from', '开始日期') })
  @Matches(DAY, { message: dayMessage('from', '开始日期') })
  @IsDateString({ strict: true }, { message: dayMessage('from', '开始日期') })
  from?: string;

  @ApiPropertyOptional({ description: 'To this day (YYYY-MM-DD, China time, inclusive)' })
  @IsOptional()
  @IsString({ message: dayMessage('to', '结束日期') })
  @Matches(DAY, { message: dayMessage('to', '结束日期') })
  @IsDateString({ strict: true }, { message: dayMessage('to', '结束日期') })
  to?: string;
}

export class MyStampLogQuery extends StampLogRangeQuery {
  @ApiPropertyOptional({
    description: 'Part of the certificate’s name (as typed or as listed)',
    maxLength: 100,
  })
  @IsOptional()
  @Transform(trimText)
  @IsString({ message: '证明名称（certificate）须为文本。certificate must be text.' })
  @MaxLength(100, {
    message: '证明名称（certificate）不能超过 100 个字。certificate must be at most 100 characters.',
  })
  certificate?: string;
}

const COMMUNITY_MESSAGE =
  '社区（community）须为社区的单位代码（如 339901001001）或单位编号，不超过 64 个字符。community must be a community’s unit code or id.';

export class StampLogQuery extends MyStampLogQuery {
  @ApiPropertyOptional({ description: 'One community in your area: its unit code or id' })
  @IsOptional()
  @IsString({ message: COMMUNITY_MESSAGE })
  @MinLength(1, { message: COMMUNITY_MESSAGE })
  @MaxLength(64, { message: COMMUNITY_MESSAGE })
  community?: string;
}

export class StampLogCountsQuery extends PageQuery {
  @ApiProperty({ description: 'From this day (YYYY-MM-DD, China time, inclusive)', example: '2027-01-01' })
  @IsString({ message: dayMessage('from', '开始日期') })
  @Matches(DAY, { message: dayMessage('from', '开始日期') })
  @IsDateString({ strict: true }, { message: dayMessage('from', '开始日期') })
  from: string;

  @ApiProperty({ description: 'To this day (YYYY-MM-DD, China time, inclusive)', example: '2027-01-31' })
  @IsString({ message: dayMessage('to', '结束日期') })
  @Matches(DAY, { message: dayMessage('to', '结束日期') })
  @IsDateString({ strict: true }, { message: dayMessage('to', '结束日期') })
  to: string;

  @ApiPropertyOptional({ description: 'One community in your area: its unit code or id' })
  @IsOptional()
  @IsString({ message: COMMUNITY_MESSAGE })
  @MinLength(1, { message: COMMUNITY_MESSAGE })
  @MaxLength(64, { message: COMMUNITY_MESSAGE })
  community?: string;
}

export class StampLogPersonDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
}

export class StampLogCommunityDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

export class StampLogVoidDto {
  @ApiProperty() reason: string;
  @ApiProperty({ type: StampLogPersonDto }) voidedBy: StampLogPersonDto;
  @ApiProperty() voidedAt: Date;
  @ApiProperty({ nullable: true, type: String, description: 'The entry that corrects it, if any' })
  correctedBy: string | null;
}

export class StampLogEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: StampLogCommunityDto }) community: StampLogCommunityDto;
  @ApiProperty() stampedAt: Date;
  @ApiProperty({ description: 'The China day of the stamp (YYYY-MM-DD)' }) stampedOn: string;
  @ApiProperty({ description: 'As typed' }) certificateName: string;
  @ApiProperty({
    enum: ['allowed', 'not-listed'],
    description: 'The registry’s answer on the day of the stamp (a prohibited certificate is never recorded)',
  })
  decision: LoggedDecision;
  @ApiProperty({ nullable: true, type: String, description: 'The deciding registry entry (version)' })
  decidingEntryId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The listed name of the certificate' })
  listedName: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The list cited, e.g. 示范市《…》（示民发〔2021〕15号）',
  })
  sourceDocument: string | null;
  @ApiProperty({ description: 'The registry’s legal basis, or (not listed) the one entered' })
  legalBasis: string;
  @ApiProperty() legalBasisEntered: boolean;
  @ApiProperty() purpose: string;
  @ApiProperty() copies: number;
  @ApiProperty() requesterName: string;
  @ApiProperty({
    description:
      'Masked (138****1234) for everyone but the community’s own committee and the auditor; see phoneMasked',
  })
  requesterPhone: string;
  @ApiProperty() phoneMasked: boolean;
  @ApiProperty({ type: StampLogPersonDto }) handler: StampLogPersonDto;
  @ApiProperty({ type: StampLogPersonDto }) approver: StampLogPersonDto;
  @ApiProperty({ type: StampLogPersonDto }) recordedBy: StampLogPersonDto;
  @ApiProperty() recordedAt: Date;
  @ApiProperty({ nullable: true, type: String, description: 'The entry this one corrects' })
  correctsId: string | null;
  @ApiProperty({ nullable: true, type: StampLogVoidDto, description: 'null: in force' })
  void: StampLogVoidDto | null;
}

export class StampLogCountDto {
  @ApiProperty({ type: StampLogCommunityDto }) community: StampLogCommunityDto;
  @ApiProperty({ description: 'The listed name, or (not listed) the name as typed' }) certificate: string;
  @ApiProperty({ enum: ['allowed', 'not-listed'] }) decision: LoggedDecision;
  @ApiProperty({ description: 'Entries (voided ones left out)' }) entries: number;
  @ApiProperty({ description: 'Copies stamped' }) copies: number;
}

export class StampMemberDto {
  @ApiProperty({ type: StampLogPersonDto }) user: StampLogPersonDto;
  @ApiProperty({ description: 'On the stamp roster: may handle or approve a stamp' }) authorised: boolean;
  @ApiProperty({ nullable: true, type: Date }) addedAt: Date | null;
}
