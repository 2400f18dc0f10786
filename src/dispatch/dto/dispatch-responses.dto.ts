import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DISPATCH_KINDS, type DispatchDetails } from '../dispatch.entities.js';
import { REASON_CODES, type CoverageReason } from '../coverage.js';

export class CoverageReasonDto {
  @ApiProperty({ enum: REASON_CODES }) code: string;
  @ApiPropertyOptional({
    description:
      'not-in-force: not-targeted, not-started, expired, exited, lapsed, not-funded; outside-content: content or population; negative-list: the entry’s code',
  })
  detail?: string;
  @ApiProperty({ description: 'The rule it comes from (a short Chinese citation)' }) rule: string;
  @ApiProperty({ description: 'What a clerk reads' }) message: string;
}

export class DispatchDetailsDto {
  @ApiPropertyOptional() meetingTime?: string;
  @ApiPropertyOptional() meetingPlace?: string;
  @ApiPropertyOptional({ type: [String] }) reportFields?: string[];
  @ApiPropertyOptional() certificateName?: string;
  @ApiPropertyOptional() scoresOnlineTime?: boolean;
  @ApiPropertyOptional() targetPopulation?: string;
}

/** A coverage as stored or previewed: whether covered, the headline reason and its rule, every reason. */
export class CoverageFieldsDto {
  @ApiProperty() covered: boolean;
  @ApiProperty({ enum: REASON_CODES, description: 'The headline reason' }) reasonCode: string;
  @ApiProperty({ description: 'The headline reason’s rule' }) rule: string;
  @ApiProperty({ type: [CoverageReasonDto], description: 'Every reason, headline first' })
  reasons: CoverageReasonDto[];
}

/** One community's coverage, before sending (preview) or as stored. */
export class CommunityCoverageDto extends CoverageFieldsDto {
  @ApiProperty() communityId: string;
  @ApiProperty() communityName: string;
}

export class CoveragePreviewDto {
  @ApiProperty({ type: [CommunityCoverageDto] }) communities: CommunityCoverageDto[];
  @ApiProperty() covered: number;
  @ApiProperty() uncovered: number;
}

/**
 * One community's piece of a dispatch with its coverage, state and dispute: what the department (DeliveryDto) and
 * the committee (ReceivedWorkDto) both see of it.
 */
export class PieceFieldsDto extends CoverageFieldsDto {
  @ApiProperty({ description: 'The piece’s id (for accept, done, refuse)' }) id: string;
  @ApiProperty({ enum: ['received', 'accepted', 'done', 'refused', 'withdrawn'] }) state: string;
  @ApiPropertyOptional({ type: String, nullable: true }) acceptedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) doneAt: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) hoursSpent: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) refusedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) refusalReasonCode: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) refusalRule: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) refusalNote: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) withdrawnAt: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    enum: ['street', 'office', 'upheld', 'overturned'],
    description:
      'A contested refusal: with the street office, with the district office, upheld or overturned (none again once the department withdraws the piece: its case ends)',
  })
  disputeState: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The dispute’s case (its history and diagram)',
  })
  disputeInstanceId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) disputeArgument: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) disputeBasis: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ['street', 'office'] }) disputeRuledBy:
    string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The ruling’s reason; for an overturn, the legal basis on which the work stands',
  })
  disputeRuling: string | null;
}

/** One community's copy of a dispatch, as the department sees it. */
export class DeliveryDto extends PieceFieldsDto {
  @ApiProperty() communityId: string;
  @ApiProperty() communityName: string;
}

export class DeliveryCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() covered: number;
  @ApiProperty() uncovered: number;
  @ApiProperty() received: number;
  @ApiProperty() accepted: number;
  @ApiProperty() done: number;
  @ApiProperty() refused: number;
  @ApiProperty() withdrawn: number;
}

export class DispatchSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DISPATCH_KINDS }) kind: string;
  @ApiProperty() title: string;
  @ApiProperty() content: string;
  @ApiProperty({ type: DispatchDetailsDto }) details: DispatchDetailsDto;
  @ApiProperty() dueDate: string;
  @ApiProperty() expectedHours: number;
  @ApiPropertyOptional({ type: String, nullable: true }) admittedItemId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) admissionNumber: string | null;
  @ApiProperty() departmentId: string;
  @ApiProperty() departmentName: string;
  @ApiProperty() sentAt: string;
  @ApiProperty({ type: DeliveryCountsDto }) counts: DeliveryCountsDto;
  @ApiProperty({
    type: [DeliveryDto],
    description:
      'In the list: the refused communities (at most 50; counts.refused tells how many). In one dispatch: every community',
  })
  deliveries: DeliveryDto[];
}

export class DispatchDto extends DispatchSummaryDto {}

/** A piece of work in the committee's inbox (收到的工作). */
export class ReceivedWorkDto extends PieceFieldsDto {
  @ApiProperty() dispatchId: string;
  @ApiProperty({ enum: DISPATCH_KINDS }) kind: string;
  @ApiProperty() title: string;
  @ApiProperty() content: string;
  @ApiProperty({ type: DispatchDetailsDto }) details: DispatchDetailsDto;
  @ApiProperty() dueDate: string;
  @ApiProperty() expectedHours: number;
  @ApiProperty() departmentId: string;
  @ApiProperty() departmentName: string;
  @ApiPropertyOptional({ type: String, nullable: true }) admittedItemId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) admissionNumber: string | null;
  @ApiProperty() sentAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) withdrawNote: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Working days left through the due date, today included when it is a working day (todayCounted), by the holiday calendar; 0 once past; null once the piece is closed',
  })
  workingDaysLeft: number | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'Whether today is a working day, and so one of workingDaysLeft (含今天); null once past or closed',
  })
  todayCounted: boolean | null;
  @ApiProperty({
    type: String,
    enum: ['onTime', 'dueSoon', 'overdue'],
    nullable: true,
    description: 'dueSoon: one working day left or none; overdue: the due date has passed; null once closed',
  })
  dueState: 'onTime' | 'dueSoon' | 'overdue' | null;
}

export type { CoverageReason, DispatchDetails };
