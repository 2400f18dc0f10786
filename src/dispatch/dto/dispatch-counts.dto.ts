import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayMessage = (field: string, zh: string) =>
  `${zh}（${field}）须为 YYYY-MM-DD 格式的日期，如 2027-01-04。${field} must be a day written YYYY-MM-DD.`;
const COMMUNITY_MESSAGE =
  '社区（community）须为社区的单位代码（如 339901001001）或单位编号，不超过 64 个字符。community must be a community’s unit code or id.';
const DEPARTMENT_MESSAGE =
  '部门（department）须为职能部门的单位代码（如 339901-WJ）或单位编号，不超过 64 个字符。department must be a department’s unit code or id.';

/** Issue 14 §5: the counts of dispatched work for the burden monitor, over a period of sent days. */
export class DispatchCountsQuery extends PageQuery {
  @ApiProperty({ description: 'Sent on or after this day (YYYY-MM-DD, China time)', example: '2027-03-01' })
  @IsString({ message: dayMessage('from', '开始日期') })
  @Matches(DAY, { message: dayMessage('from', '开始日期') })
  @IsDateString({ strict: true }, { message: dayMessage('from', '开始日期') })
  from: string;

  @ApiProperty({
    description: 'Sent on or before this day (YYYY-MM-DD, China time); at most 366 days after from',
    example: '2027-03-31',
  })
  @IsString({ message: dayMessage('to', '结束日期') })
  @Matches(DAY, { message: dayMessage('to', '结束日期') })
  @IsDateString({ strict: true }, { message: dayMessage('to', '结束日期') })
  to: string;

  @ApiPropertyOptional({ description: 'Only this community of your area: its unit code or id' })
  @IsOptional()
  @IsString({ message: COMMUNITY_MESSAGE })
  @MinLength(1, { message: COMMUNITY_MESSAGE })
  @MaxLength(64, { message: COMMUNITY_MESSAGE })
  community?: string;

  @ApiPropertyOptional({
    description: 'Only work sent by this department (one that may send to your area): its unit code or id',
  })
  @IsOptional()
  @IsString({ message: DEPARTMENT_MESSAGE })
  @MinLength(1, { message: DEPARTMENT_MESSAGE })
  @MaxLength(64, { message: DEPARTMENT_MESSAGE })
  department?: string;

  @ApiPropertyOptional({
    enum: ['community', 'department'],
    default: 'community',
    description: 'One row per community (default) or per sending department',
  })
  @IsOptional()
  @IsIn(['community', 'department'], {
    message: '分组（by）须为 community（按社区）或 department（按部门）。by must be community or department.',
  })
  by?: 'community' | 'department';
}

export class DispatchCountsUnitDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

/** One community's (or department's) counts over the period. */
export class DispatchCountsRowDto {
  @ApiProperty({ type: DispatchCountsUnitDto, description: 'The community or the department of the row' })
  unit: DispatchCountsUnitDto;
  @ApiProperty({ description: 'Pieces received (sent in the period), withdrawn ones included' })
  received: number;
  @ApiProperty({ description: 'Pieces covered by an admitted item when sent' }) covered: number;
  @ApiProperty({ description: 'Pieces not covered when sent' }) uncovered: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'The uncovered pieces by headline reason code (code → number)',
    example: { 'no-admitted-item': 3, 'negative-list': 1 },
  })
  uncoveredByReason: Record<string, number>;
  @ApiProperty({ description: 'Pieces the committee refused (an overturned refusal still counts)' })
  refused: number;
  @ApiProperty({ description: 'Refusals the department contested' }) contested: number;
  @ApiProperty({ description: 'Contested refusals upheld' }) upheld: number;
  @ApiProperty({ description: 'Contested refusals overturned' }) overturned: number;
  @ApiProperty({ description: 'Pieces withdrawn by the department' }) withdrawn: number;
  @ApiProperty({ description: 'Pieces done' }) done: number;
  @ApiProperty({ description: 'Hours the committee spent on the pieces done' }) hours: number;
}
