import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

export class CommentDto {
  @ApiPropertyOptional({ description: '办理意见 / comment' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class CompleteTaskDto extends CommentDto {
  @ApiPropertyOptional({ example: 'approve', description: 'One of the decisions the task’s form allows' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  decision?: string;

  @ApiPropertyOptional({ description: 'Form data, validated against the task’s form key' })
  @IsOptional()
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
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) businessKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() ownerUnitId?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() variables?: Record<string, unknown>;
}

export class CalendarDayDto {
  @ApiProperty({ description: 'true: a working day (e.g. 调休 Saturday); false: a day off (e.g. 国庆节)' })
  @IsBoolean()
  workingDay: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) note?: string;
}
