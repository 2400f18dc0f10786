import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INT32_MAX, IsDecimal, NullAsAbsent } from '../../common/validation.js';
import { ApplicationKind } from '../admission-application.entity.js';

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
  reportFields?: string[];
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
