import { Controller, Get, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { AuditService } from './audit.service.js';

class AuditQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() actorId?: string;
  @ApiPropertyOptional({ description: 'Page after this sequence number' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  afterSeq?: string;
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

class AuditVerifyDto {
  @ApiProperty() intact: boolean;
  @ApiProperty() checked: number;
  @ApiProperty({ nullable: true, type: String }) firstBrokenSeq: string | null;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Requires('Read the audit trail (oldest first, paged by afterSeq)', [Permission.AUDIT_READ])
  list(@Query() q: AuditQuery) {
    return this.audit.list({ ...q, limit: q.limit ?? 100 });
  }

  @Get('verify')
  @Requires('Recompute the hash chain and say whether it is intact', [Permission.AUDIT_READ])
  verify(): Promise<AuditVerifyDto> {
    return this.audit.verify();
  }
}
