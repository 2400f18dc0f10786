import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxDate,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { HAND_OVERS, type HandOver } from '../task-handover.service.js';
import { NullAsAbsent, Optional } from '../../common/validation.js';

export class CommentDto {
  @ApiPropertyOptional({ description: '办理意见 / comment' })
  @NullAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class CompleteTaskDto extends CommentDto {
  @ApiPropertyOptional({ example: 'approve', description: 'One of the decisions the task’s form allows' })
  @Optional()
  @IsString()
  @MaxLength(32)
  decision?: string;

  @ApiPropertyOptional({ description: 'Form data, validated against the task’s form key' })
  @Optional()
  @IsObject()
  form?: Record<string, unknown>;
}

export class ReturnTaskDto extends CommentDto {
  @ApiProperty({ type: [String], description: 'Every deficiency, all at once (一次告知)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(500, { each: true })
  deficiencies: string[];
}

export class ReassignDto extends CommentDto {
  @ApiProperty() @IsUUID() toUserId: string;
}

export class DelegateDto extends CommentDto {
  @ApiProperty() @IsUUID() toUserId: string;
  @ApiProperty({ description: 'When the delegation ends and the task comes back' })
  @Type(() => Date)
  @IsDate()
  @MinDate(new Date('2000-01-01T00:00:00Z'))
  @MaxDate(new Date('9999-12-31T00:00:00Z'))
  until: Date;
}

export class AddSignersDto extends CommentDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  userIds: string[];
}

export class StartInstanceDto {
  @ApiProperty({ example: 'probe' }) @IsString() @Matches(/^[A-Za-z_][\w.-]{0,99}$/) processId: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(100) businessKey?: string;
  @ApiPropertyOptional() @Optional() @IsUUID() ownerUnitId?: string;
  @ApiPropertyOptional() @Optional() @IsObject() variables?: Record<string, unknown>;
}

export class CalendarDayDto {
  @ApiProperty({ description: 'true: a working day (e.g. 调休 Saturday); false: a day off (e.g. 国庆节)' })
  @IsBoolean()
  workingDay: boolean;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(100) note?: string;
}

export class CalendarQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2027', description: 'The year (YYYY); default this year' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  year?: string;
}

/** Whom a task may be handed to, one way (GET /tasks/:id/hand-over-candidates). */
export class HandOverCandidatesQuery extends PageQuery {
  @ApiProperty({ enum: HAND_OVERS, description: 'reassign: 转办; delegate: 委托; signers: 加签' })
  @IsIn(HAND_OVERS)
  for: HandOver;
}
