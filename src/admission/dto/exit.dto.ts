import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Optional } from '../../common/validation.js';

export class EvaluationDto {
  @ApiProperty({
    example: '2027Q3',
    description: 'The period evaluated: YYYY, YYYYQn or YYYY-MM (a year from 2000 to 2999)',
  })
  @Matches(/^2\d{3}(Q[1-4]|-(0[1-9]|1[0-2]))?$/, {
    message:
      '评议期间须写成年份（如 2027）、季度（如 2027Q3）或月份（如 2027-09），年份在 2000 至 2999 之间。The period is a year (2027), a quarter (2027Q3) or a month (2027-09), from 2000 to 2999.',
  })
  period: string;
  @ApiProperty({ example: 50 }) @IsInt() @Min(1) @Max(1_000_000) respondents: number;
  @ApiProperty({ example: 20, description: 'Respondents satisfied with the item' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  satisfied: number;
}

export class ExitProposalDto {
  @ApiPropertyOptional({
    description: 'Leave out to exit the whole item; committees always propose for their own community',
  })
  @Optional()
  @IsUUID()
  communityId?: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason: string;
}
