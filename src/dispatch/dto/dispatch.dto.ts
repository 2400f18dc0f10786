import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { PageQuery } from '../../common/pagination.js';
import { FieldNames, IsDecimal, Optional, SingleLine } from '../../common/validation.js';
import { DISPATCH_KINDS, type DispatchKind } from '../dispatch.entities.js';
import { REASON_CODES } from '../coverage.js';
import { IDEMPOTENCY_KEY_MESSAGE } from '../../common/validation-messages.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A due date is a day: one message for each way it can be wrong (an empty picker, a time, a bad day). */
const DUE_DATE_MESSAGE =
  '截止日期（dueDate）须为年-月-日，如 2027-06-18（不带时间）。dueDate must be a day written YYYY-MM-DD, e.g. 2027-06-18.';

/** A piece of work to send (派单), or to preview its coverage without sending. */
export class SendDispatchDto {
  @ApiProperty({
    enum: DISPATCH_KINDS,
    description:
      'task 工作任务, meeting 会议 (meetingTime, meetingPlace), report 报表台账 (reportFields), survey 调查统计, inspection 考评检查, stamp 盖章证明 (certificateName), app-registration 政务应用/账号（App、工作群） (scoresOnlineTime), plaque 组织机构挂牌',
  })
  @IsIn(DISPATCH_KINDS)
  kind: DispatchKind;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) @SingleLine() title: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) content: string;
  @ApiProperty({ example: '2027-06-18', description: 'Due date, a China day; not before today' })
  @IsDateString({ strict: true }, { message: DUE_DATE_MESSAGE })
  @Matches(DAY, { message: DUE_DATE_MESSAGE })
  dueDate: string;
  @ApiProperty({ description: 'Expected hours of work per community' })
  @IsDecimal(1)
  @Min(0)
  @Max(1000)
  expectedHours: number;
  @ApiPropertyOptional({
    description: 'The admitted item the work relies on; without one the work is uncovered',
  })
  @Optional()
  @IsUUID()
  admittedItemId?: string;
  @ApiProperty({
    type: [String],
    description:
      'Community ids, or a street or district unit id meaning every community under it; all within the department’s reach (others answer 404)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  targets: string[];
  @ApiPropertyOptional({
    description:
      'meeting: when, YYYY-MM-DD HH:mm in China time, not in the past and not after dueDate (e.g. 2027-06-18 09:30)',
  })
  @Optional()
  @IsString()
  @MaxLength(40)
  meetingTime?: string;
  @ApiPropertyOptional({ description: 'meeting: where' })
  @Optional()
  @IsString()
  @MaxLength(200)
  meetingPlace?: string;
  @ApiPropertyOptional({ type: [String], description: 'report: the fields it asks for' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  @FieldNames()
  @SingleLine()
  reportFields?: string[];
  @ApiPropertyOptional({ description: 'stamp: the certificate demanded (required for a stamp demand)' })
  @Optional()
  @IsString()
  @MaxLength(100)
  @SingleLine()
  certificateName?: string;
  @ApiPropertyOptional({
    description: 'app-registration: whether it scores online time, check-ins or rankings',
  })
  @Optional()
  @IsBoolean()
  scoresOnlineTime?: boolean;
  @ApiPropertyOptional({
    description: 'Whom the work concerns (checked against the item’s target population)',
  })
  @Optional()
  @IsString()
  @MaxLength(200)
  targetPopulation?: string;
  @ApiPropertyOptional({
    description: 'Your key for this dispatch: sending it again answers the same dispatch',
  })
  @Optional()
  @IsString()
  @Matches(/^[\w.:-]{1,100}$/, { message: IDEMPOTENCY_KEY_MESSAGE })
  idempotencyKey?: string;
}

export class WithdrawDispatchDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Withdraw from these communities only; absent: from every community not done',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  communityIds?: string[];
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(1000) note?: string;
}

/** The department's contest of one community's refusal: its argument and the basis it relies on. */
export class ContestDto {
  @ApiProperty({ description: 'The community whose refusal is contested' }) @IsUUID() communityId: string;
  @ApiProperty({ description: 'Why the work should stand' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  argument: string;
  @ApiProperty({ description: 'The legal or policy basis (document and article)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  basis: string;
}

export class DoneDto {
  @ApiProperty({ description: 'Hours the work took' })
  @IsDecimal(1)
  @Min(0)
  @Max(1000)
  hours: number;
}

/** Refusal reason codes: a coverage reason, or outside-duties (明显不属于社区职责范围, seed 002 §4). */
export const REFUSAL_REASON_CODES = [
  ...REASON_CODES.filter((c) => c !== 'covered'),
  'outside-duties',
] as const;

export class RefuseDto {
  @ApiPropertyOptional({
    enum: REFUSAL_REASON_CODES,
    description:
      'Defaults to the piece’s coverage reason; a covered piece needs a typed note (outside-duties)',
  })
  @Optional()
  @IsIn(REFUSAL_REASON_CODES)
  reasonCode?: string;
  @ApiPropertyOptional({ description: 'The committee’s words; required when refusing a covered piece' })
  @Optional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class EmptyBodyDto {}

export const RECEIVED_STATES = [
  'open',
  'closed',
  'received',
  'accepted',
  'done',
  'refused',
  'withdrawn',
] as const;

export class ReceivedWorkQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: RECEIVED_STATES,
    description: 'open: received or accepted; closed: done, refused or withdrawn; or one state',
  })
  @IsOptional()
  @IsIn(RECEIVED_STATES)
  state?: (typeof RECEIVED_STATES)[number];
  @ApiPropertyOptional({ description: 'true: only uncovered pieces' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  uncovered?: boolean;
}

export class DispatchListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'true: only dispatches some community refused' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  refused?: boolean;
}
