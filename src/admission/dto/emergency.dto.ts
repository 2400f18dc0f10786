import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsInt,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ApplicationKind } from '../admission-application.entity.js';
import { Optional } from '../../common/validation.js';

/** 突发事件应急准入: what the office admits at once. */
export class EmergencyItemDto {
  @ApiProperty({ description: 'The department that does the work' }) @IsUUID() departmentId: string;
  @ApiProperty({ enum: ApplicationKind }) @IsEnum(ApplicationKind) kind: ApplicationKind;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) title: string;
  @ApiProperty({ description: 'The emergency and why it cannot wait' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
  @ApiProperty() @IsString() @MaxLength(48) statutoryArea: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  targetCommunityIds: string[];
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) authorizedContent: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(2000) targetPopulation: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(2000) powers: string;
  @ApiProperty({
    description:
      '费随事转 (seed 002 §11): funding per community in fen (0 when none is due). The item is in force at once; the department registers and finance confirms each community’s funding within the funding window after the fact',
    example: 200000,
  })
  @IsInt({
    message:
      'fundingPerCommunityFen 须为以“分”计的整数。fundingPerCommunityFen must be a whole number of fen.',
  })
  @Min(0)
  @Max(1_000_000_000_00)
  fundingPerCommunityFen: number;
  @ApiPropertyOptional({ description: 'Where the funding comes from; required when funding is due' })
  @Optional()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  fundingSource?: string;
  @ApiProperty({ description: 'Days in force from today (at most EMERGENCY_MAX_DAYS)', example: 14 })
  @IsInt()
  @Min(1)
  @Max(365)
  days: number;
}
