/* What a committee reads of its own community: the exit proposals concerning it and the evaluations it recorded. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import type { ExitOrigin } from '../exit.entities.js';

export const EXIT_STATUS_VALUES = ['open', 'exited', 'kept'] as const;
export type ExitStatus = (typeof EXIT_STATUS_VALUES)[number];

export class MyCommunityExitProposalsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only the proposals of this admitted item' })
  @IsOptional()
  @IsUUID('all', { message: 'itemId 须为事项编号（UUID）。itemId must be an item id (UUID).' })
  itemId?: string;
  @ApiPropertyOptional({ enum: EXIT_STATUS_VALUES, description: 'open: being decided; exited; kept' })
  @IsOptional()
  @IsIn(EXIT_STATUS_VALUES)
  status?: ExitStatus;
}

export class MyCommunityEvaluationsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only the evaluations of this admitted item' })
  @IsOptional()
  @IsUUID('all', { message: 'itemId 须为事项编号（UUID）。itemId must be an item id (UUID).' })
  itemId?: string;
}

/** An exit proposal concerning a committee's community, as ExitReads reads it. */
export interface CommunityExitProposal {
  id: string;
  itemId: string;
  admissionNumber: string;
  itemTitle: string;
  communityId: string | null;
  origin: ExitOrigin;
  reason: string;
  status: ExitStatus;
  createdAt: Date;
  decidedAt: Date | null;
}

export class CommunityExitProposalDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty({ example: '准入〔2027〕3号' }) admissionNumber: string;
  @ApiProperty() itemTitle: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The community the item would leave (yours); null: the whole item',
  })
  communityId: string | null;
  @ApiProperty({
    enum: ['community', 'department', 'office', 'evaluation'],
    description:
      'community: proposed by your committee; department; office; evaluation: opened by a satisfaction below the threshold',
  })
  origin: ExitOrigin;
  @ApiProperty() reason: string;
  @ApiProperty({
    enum: EXIT_STATUS_VALUES,
    description: 'open: being decided; exited: the item left; kept: the item stays',
  })
  status: ExitStatus;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) decidedAt: Date | null;
}

export function toCommunityExitProposalDto(p: CommunityExitProposal): CommunityExitProposalDto {
  return {
    id: p.id,
    itemId: p.itemId,
    admissionNumber: p.admissionNumber,
    itemTitle: p.itemTitle,
    communityId: p.communityId,
    origin: p.origin,
    reason: p.reason,
    status: p.status,
    createdAt: p.createdAt,
    decidedAt: p.decidedAt,
  };
}

/** A residents' evaluation recorded for a committee's community, as ExitReads reads it. */
export interface CommunityEvaluation {
  id: string;
  itemId: string;
  admissionNumber: string;
  itemTitle: string;
  period: string;
  respondents: number;
  satisfied: number;
  satisfaction: number;
  recordedAt: Date;
}

export class CommunityEvaluationDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty() admissionNumber: string;
  @ApiProperty() itemTitle: string;
  @ApiProperty({ example: '2027Q3' }) period: string;
  @ApiProperty() respondents: number;
  @ApiProperty() satisfied: number;
  @ApiProperty({ description: 'Per cent satisfied, two decimals' }) satisfaction: number;
  @ApiProperty() recordedAt: Date;
}

export function toCommunityEvaluationDto(e: CommunityEvaluation): CommunityEvaluationDto {
  return {
    id: e.id,
    itemId: e.itemId,
    admissionNumber: e.admissionNumber,
    itemTitle: e.itemTitle,
    period: e.period,
    respondents: e.respondents,
    satisfied: e.satisfied,
    satisfaction: e.satisfaction,
    recordedAt: e.recordedAt,
  };
}
