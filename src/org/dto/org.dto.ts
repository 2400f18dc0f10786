import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
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
import { Role } from '../../auth/permissions.js';
import { PASSWORD_PATTERN, PASSWORD_RULE } from '../../auth/passwords.js';
import { PageQuery } from '../../common/pagination.js';
import { INT32_MAX, Optional, trimText } from '../../common/validation.js';
import { UnitKind } from '../org-unit.entity.js';

export class UnitDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: '339901001001' }) code: string;
  @ApiProperty({ example: '杏花社区' }) name: string;
  @ApiProperty({ enum: UnitKind }) kind: UnitKind;
  @ApiProperty({ nullable: true, type: String }) parentId: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) principalLeaderId: string | null;
  @ApiProperty() version: number;
}

export class UnitTreeNodeDto extends UnitDto {
  @ApiProperty({ type: () => [UnitTreeNodeDto] }) children: UnitTreeNodeDto[];
}

export class LeadingGroupDto {
  @ApiProperty({ type: UnitDto }) group: UnitDto;
  @ApiProperty({ type: UnitDto, nullable: true }) office: UnitDto | null;
  @ApiProperty({ nullable: true, type: Object, example: { id: '…', username: 'leader', displayName: '…' } })
  principalLeader: { id: string; username: string; displayName: string } | null;
  @ApiProperty({ type: [UnitDto] }) members: UnitDto[];
}

export class ListUnitsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: UnitKind }) @IsOptional() @IsEnum(UnitKind) kind?: UnitKind;
  @ApiPropertyOptional() @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({ description: 'Part of the name or code' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateUnitDto {
  @ApiProperty({ example: '339901001004', description: 'Stable code: letters, digits, dash' })
  @Transform(trimText)
  @IsString()
  @Matches(/^[A-Za-z0-9-]{2,32}$/, {
    message: 'code 须为 2–32 位字母、数字或连字符。code must be 2–32 letters, digits or dashes.',
  })
  code: string;

  @ApiProperty({ example: '梨花社区' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
  @ApiProperty({ enum: UnitKind }) @IsEnum(UnitKind) kind: UnitKind;
  @ApiProperty() @IsUUID() parentId: string;
}

export class UpdateUnitDto {
  @ApiPropertyOptional()
  @Optional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
  @ApiPropertyOptional() @Optional() @IsBoolean() active?: boolean;
  @ApiProperty({ description: 'The version you read; a stale one answers 409 CONCURRENT_UPDATE' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class SetLeadingGroupDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'A user of the leading group with role LEADER',
  })
  @IsOptional()
  @IsUUID()
  principalLeaderId?: string | null;

  @ApiProperty({ type: [String], description: 'Member units (成员单位) of the same level' })
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  memberUnitIds: string[];
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty() unitId: string;
  @ApiProperty({ enum: Role, isArray: true }) roles: Role[];
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) lockedUntil: string | null;
  @ApiProperty({ nullable: true, type: String }) lastLoginAt: string | null;
  @ApiProperty() version: number;
}

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ description: 'Part of the username or name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'committee-3' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,63}$/, {
    message:
      'username 须为 2–64 位小写字母、数字、点、下划线或连字符。username must be 2–64 lower-case letters, digits, dot, underscore or dash.',
  })
  username: string;

  @ApiProperty({ example: '王小明' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  displayName: string;
  @ApiProperty() @IsUUID() unitId: string;
  @ApiProperty({ description: PASSWORD_RULE })
  @IsString()
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_RULE })
  password: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @Optional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  displayName?: string;
  @ApiPropertyOptional() @Optional() @IsUUID() unitId?: string;
  @ApiPropertyOptional() @Optional() @IsBoolean() active?: boolean;
  @ApiProperty() @IsInt() @Min(1) @Max(INT32_MAX) version: number;
}

export class SetRolesDto {
  @ApiProperty({ enum: Role, isArray: true })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(11)
  @IsEnum(Role, { each: true })
  roles: Role[];

  @ApiProperty() @IsInt() @Min(1) @Max(INT32_MAX) version: number;
}

export class ResetPasswordDto {
  @ApiProperty({ description: PASSWORD_RULE })
  @IsString()
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_RULE })
  password: string;
}
