import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Optional } from '../../common/validation.js';

export class NegativeListChangeDto {
  @ApiProperty({ enum: ['add', 'update', 'deactivate'] }) @IsIn(['add', 'update', 'deactivate']) action:
    'add' | 'update' | 'deactivate';
  @ApiProperty({ example: 'fundraising_quota' }) @Matches(/^[a-z][a-z0-9_]{1,47}$/) code: string;
  @ApiPropertyOptional({ example: '摊派募捐任务' })
  @Optional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  nameZh?: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(200) nameEn?: string;
  @ApiPropertyOptional({ description: '"any kind", or one application kind' })
  @Optional()
  @IsString()
  @MaxLength(20)
  appliesTo?: string;
  @ApiPropertyOptional({ type: [String], description: 'Words that reveal the work in an application' })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(2, { each: true })
  @MaxLength(20, { each: true })
  keywords?: string[];
  @ApiPropertyOptional({ description: 'The document the entry comes from' })
  @Optional()
  @IsString()
  @MaxLength(200)
  source?: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason: string;
}
