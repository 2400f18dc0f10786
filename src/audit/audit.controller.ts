import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { ApiPage, PageQuery, pageRequest, type Page } from '../common/pagination.js';
import type { AuditRecord } from './audit-record.entity.js';
import { AuditSealer } from './audit-sealer.service.js';
import { AuditVerifier } from './audit-verifier.service.js';
import { AuditService } from './audit.service.js';

class AuditQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() actorId?: string;
  @ApiPropertyOptional({ description: 'Page after this sequence number' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  afterSeq?: string;
}

class AuditRecordDto {
  @ApiProperty({ description: 'Sequence number (a bigint as a string)' }) seq: string;
  @ApiProperty() at: Date;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ nullable: true, type: String }) actorUsername: string | null;
  @ApiProperty() action: string;
  @ApiProperty() entityType: string;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
  @ApiProperty({ nullable: true, type: Object }) data: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ description: 'Hash of the previous record (the chain)' }) prevHash: string;
  @ApiProperty() hash: string;
}

function toAuditRecordDto(r: AuditRecord): AuditRecordDto {
  return {
    seq: r.seq,
    at: r.at,
    actorId: r.actorId,
    actorUsername: r.actorUsername,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
    requestId: r.requestId,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

class AuditProblemDto {
  @ApiProperty({
    description:
      'record-altered, record-deleted, record-added, head-missing, task-decision-mismatch, task-form-mismatch, decision-unrecorded, history-decision-mismatch, history-decision-missing, history-decision-unrecorded, seal-missing, seal-mismatch, seal-forged, seal-other-key',
  })
  kind: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The audit record concerned (a deleted one: the first deleted)',
  })
  seq: string | null;
  @ApiPropertyOptional({ description: 'The last record of a deleted run' }) toSeq?: string;
  @ApiPropertyOptional() taskId?: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The workflow_history row concerned' })
  historySeq?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The decision stored in the task or history row',
  })
  stored?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The decision the audit record names' })
  recorded?: string | null;
  @ApiPropertyOptional({ description: 'The Asia/Shanghai day of a seal' }) day?: string;
  @ApiPropertyOptional({ type: [String] }) days?: string[];
  @ApiProperty() message: string;
}

class AuditVerifyDto {
  @ApiProperty() intact: boolean;
  @ApiProperty() checked: number;
  @ApiProperty({ nullable: true, type: String }) firstBrokenSeq: string | null;
  @ApiProperty({ enum: ['on', 'off'], description: "'off': no seal key (AUDIT_SEAL_KEY), seals not checked" })
  sealing: 'on' | 'off';
  @ApiProperty({ type: [AuditProblemDto] }) problems: AuditProblemDto[];
}

class AuditSealDto {
  @ApiProperty() day: string;
  @ApiProperty() upToSeq: string;
  @ApiProperty() hash: string;
  @ApiProperty() keyId: string;
  @ApiProperty() sealedAt: Date;
  @ApiProperty() mac: string;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifier,
    private readonly sealer: AuditSealer,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Requires('Read the audit trail (oldest first; page, pageSize, and afterSeq to start after a record)', [
    Permission.AUDIT_READ,
  ])
  @ApiPage(AuditRecordDto)
  async list(@Query() q: AuditQuery): Promise<Page<AuditRecordDto>> {
    const { page, pageSize, ...filter } = q;
    const res = await this.audit.list({ ...filter, page: pageRequest({ page, pageSize }) });
    return { ...res, items: res.items.map(toAuditRecordDto) };
  }

  @Get('verify')
  @Requires('Recompute the hash chain, check stored decisions against their records and the daily seals', [
    Permission.AUDIT_READ,
  ])
  @ApiOkResponse({ type: AuditVerifyDto })
  verify(): Promise<AuditVerifyDto> {
    return this.verifier.verify({ key: this.sealer.key, now: this.clock.now() });
  }

  @Post('seals')
  @HttpCode(200)
  @Requires('Seal every finished day not sealed yet now (the sealer also runs every 10 minutes)', [
    Permission.AUDIT_READ,
  ])
  @ApiOkResponse({ type: [AuditSealDto] })
  async seal(): Promise<AuditSealDto[]> {
    return this.sealer.sealFinishedDays();
  }
}
