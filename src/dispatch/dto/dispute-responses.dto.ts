import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { REASON_CODES } from '../coverage.js';
import { DISPATCH_KINDS } from '../dispatch.entities.js';
import { CoverageReasonDto, DispatchDetailsDto } from './dispatch-responses.dto.js';

export const DISPUTE_LIST_STATES = ['open', 'ruled', 'all'] as const;

export class DisputeListQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: DISPUTE_LIST_STATES,
    default: 'all',
    description:
      'open: with the street office or the district office; ruled: upheld or overturned; all (default): every contested refusal, ended ones without a ruling too',
  })
  @IsOptional()
  @IsIn(DISPUTE_LIST_STATES)
  state?: (typeof DISPUTE_LIST_STATES)[number];
}

export class DisputeUnitDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class DisputeCommunityDto extends DisputeUnitDto {
  @ApiProperty({ description: 'The community’s unit code' }) code: string;
}

/** The committee's refusal that the department contests. */
export class DisputeRefusalDto {
  @ApiProperty({ description: 'A coverage reason code, or outside-duties for a reason the committee typed' })
  reasonCode: string;
  @ApiProperty({ description: 'The rule the refusal cites (a short Chinese citation)' }) rule: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'What the committee wrote' })
  note: string | null;
  @ApiProperty() refusedAt: string;
}

/** The department's contest: its argument and the basis it relies on. */
export class DisputeContestDto {
  @ApiProperty() argument: string;
  @ApiProperty({ description: 'The documents and articles the department relies on' }) basis: string;
  @ApiProperty() disputedAt: string;
}

export class DisputeRulingDto {
  @ApiProperty({
    enum: ['street', 'office'],
    description: 'street: settled in mediation; office: ruled by the district leading-group office',
  })
  by: string;
  @ApiProperty() at: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The ruling’s reason; for an overturn, the legal basis on which the work stands',
  })
  text: string | null;
}

/** One contested refusal (拒绝争议) as the street office, the district office, the department and the committee see it. */
export class DisputeDto {
  @ApiProperty({ description: 'The community’s piece of work (the dispute’s business key)' })
  deliveryId: string;
  @ApiProperty() dispatchId: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: DISPATCH_KINDS }) kind: string;
  @ApiProperty({ type: DisputeUnitDto, description: 'The department that sent the work' })
  department: DisputeUnitDto;
  @ApiProperty({ type: DisputeCommunityDto }) community: DisputeCommunityDto;
  @ApiProperty({ type: DisputeRefusalDto }) refusal: DisputeRefusalDto;
  @ApiProperty({ type: DisputeContestDto }) contest: DisputeContestDto;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    enum: ['street', 'office', 'upheld', 'overturned'],
    description:
      'With the street office, with the district office, upheld or overturned; null: the case was ended (终止) without a ruling',
  })
  disputeState: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'When the street office’s time to mediate runs out (then the district office rules)',
  })
  streetDeadline: string | null;
  @ApiPropertyOptional({ type: DisputeRulingDto, nullable: true, description: 'null until ruled' })
  ruling: DisputeRulingDto | null;
  @ApiProperty({ description: 'The dispute’s case (its history and diagram)' }) instanceId: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The open step of the case the caller may act on (as their task inbox shows it); else null',
  })
  openTaskId: string | null;
}

/** One contested refusal with the work itself and the coverage of that community. */
export class DisputeDetailDto extends DisputeDto {
  @ApiProperty() content: string;
  @ApiProperty({ type: DispatchDetailsDto }) details: DispatchDetailsDto;
  @ApiProperty() dueDate: string;
  @ApiProperty() expectedHours: number;
  @ApiProperty() sentAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) admissionNumber: string | null;
  @ApiProperty({ enum: ['received', 'accepted', 'done', 'refused', 'withdrawn'] }) state: string;
  @ApiProperty({ description: 'Whether the work was within the community’s admitted items when sent' })
  covered: boolean;
  @ApiProperty({ enum: REASON_CODES, description: 'The headline coverage reason' }) reasonCode: string;
  @ApiProperty({ type: [CoverageReasonDto], description: 'Every coverage reason, headline first' })
  reasons: CoverageReasonDto[];
}
