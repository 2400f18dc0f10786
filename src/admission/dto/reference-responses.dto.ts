import { ApiProperty } from '@nestjs/swagger';
import type { NegativeListChange, NegativeListItem, StatutoryArea } from '../reference.entities.js';

/**
 * What the admission routes answer about the reference lists: statutory areas, the negative list and
 * proposed changes to it. Each class is exactly what goes on the wire (the console is
 * generated from the OpenAPI); each `toXDto` copies the fields a client may see and nothing else.
 */

export class StatutoryAreaDto {
  @ApiProperty() code: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty() source: string;
}

export function toStatutoryAreaDto(a: StatutoryArea): StatutoryAreaDto {
  return { code: a.code, nameZh: a.nameZh, nameEn: a.nameEn, source: a.source };
}

export class NegativeListItemDto {
  @ApiProperty() code: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty({ description: '`any kind`, or the application kind it concerns' }) appliesTo: string;
  @ApiProperty({ type: [String] }) keywords: string[];
  @ApiProperty() source: string;
  @ApiProperty() active: boolean;
}

export function toNegativeListItemDto(n: NegativeListItem): NegativeListItemDto {
  return {
    code: n.code,
    nameZh: n.nameZh,
    nameEn: n.nameEn,
    appliesTo: n.appliesTo,
    keywords: n.keywords,
    source: n.source,
    active: n.active,
  };
}

export class NegativeListChangeInfoDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['add', 'update', 'deactivate'] }) action: 'add' | 'update' | 'deactivate';
  @ApiProperty() code: string;
  @ApiProperty({ nullable: true, type: Object, description: 'The entry proposed (add, update)' })
  entry: Record<string, unknown> | null;
  @ApiProperty() reason: string;
  @ApiProperty() proposedBy: string;
  @ApiProperty({ nullable: true, type: String }) instanceId: string | null;
  @ApiProperty({ enum: ['open', 'applied', 'rejected'] }) status: 'open' | 'applied' | 'rejected';
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) decidedAt: Date | null;
}

export function toNegativeListChangeInfoDto(c: NegativeListChange): NegativeListChangeInfoDto {
  return {
    id: c.id,
    action: c.action,
    code: c.code,
    entry: c.entry,
    reason: c.reason,
    proposedBy: c.proposedBy,
    instanceId: c.instanceId,
    status: c.status,
    createdAt: c.createdAt,
    decidedAt: c.decidedAt,
  };
}
