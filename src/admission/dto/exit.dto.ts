import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
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

export class EvaluationDto {
  @ApiProperty({ example: '2027Q3', description: 'The period evaluated: YYYY, YYYYQn or YYYY-MM' })
  @Matches(/^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$/)
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
  @IsOptional()
  @IsUUID()
  communityId?: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason: string;
}
