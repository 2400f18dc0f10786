import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { trimText } from '../../common/validation.js';

/** GET /stamp-items/communities: the communities a resident may ask the check for, found by name. */
export class StampCommunitiesQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'A part of the community’s name (杏花); empty: every community',
    maxLength: 50,
  })
  @IsOptional()
  @Transform(trimText)
  @IsString({ message: '社区名称（name）须为文本。name must be text.' })
  @MaxLength(50, { message: '社区名称（name）不能超过 50 个字。name must be at most 50 characters.' })
  name?: string;
}

export class StampCommunityChoiceDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Its unit code (GB/T 2260 division code and more): the check’s `community`' })
  code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String, description: 'The street (街道) it belongs to' })
  street: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The district (区/县) it belongs to' })
  district: string | null;
}
