/* The money of 费随事转 as the API answers it: registered transfers, finance's inbox, the funding owed per community. */
import { ApiProperty } from '@nestjs/swagger';
import type { FundingTransfer } from '../admitted-item.entities.js';
import {
  FUNDING_STATE_DOC,
  FUNDING_STATE_VALUES,
  TRANSFER_STATE_VALUES,
  type FundingState,
  type TransferState,
} from './item-responses.dto.js';

export class FundingTransferDto {
  @ApiProperty() id: string;
  @ApiProperty() itemId: string;
  @ApiProperty() communityId: string;
  @ApiProperty({ description: 'In fen, a whole number written as a string' }) amountFen: string;
  @ApiProperty() account: string;
  @ApiProperty() reference: string;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty() registeredBy: string;
  @ApiProperty() registeredAt: Date;
  @ApiProperty({ nullable: true, type: String }) confirmedBy: string | null;
  @ApiProperty({ nullable: true, type: Date, description: 'When finance confirmed the money arrived' })
  confirmedAt: Date | null;
}

export function toFundingTransferDto(t: FundingTransfer): FundingTransferDto {
  return {
    id: t.id,
    itemId: t.itemId,
    communityId: t.communityId,
    amountFen: t.amountFen,
    account: t.account,
    reference: t.reference,
    idempotencyKey: t.idempotencyKey,
    registeredBy: t.registeredBy,
    registeredAt: t.registeredAt,
    confirmedBy: t.confirmedBy,
    confirmedAt: t.confirmedAt,
  };
}

/** The item and the community a transfer or a due is of (finance's inbox, the dues list). */
export interface ItemCommunityRef {
  itemId: string;
  admissionNumber: string;
  itemTitle: string;
  emergency: boolean;
  departmentId: string;
  departmentName: string;
  communityId: string;
  communityCode: string;
  communityName: string;
  street: string | null;
}

export class ItemCommunityRefDto {
  @ApiProperty() itemId: string;
  @ApiProperty({ example: '〔2027〕第3号' }) admissionNumber: string;
  @ApiProperty() itemTitle: string;
  @ApiProperty({ description: 'An emergency item (in force already; funding settled after the fact)' })
  emergency: boolean;
  @ApiProperty() departmentId: string;
  @ApiProperty() departmentName: string;
  @ApiProperty() communityId: string;
  @ApiProperty() communityCode: string;
  @ApiProperty() communityName: string;
  @ApiProperty({ nullable: true, type: String }) street: string | null;
}

function toItemCommunityRef(r: ItemCommunityRef): ItemCommunityRefDto {
  return {
    itemId: r.itemId,
    admissionNumber: r.admissionNumber,
    itemTitle: r.itemTitle,
    emergency: r.emergency,
    departmentId: r.departmentId,
    departmentName: r.departmentName,
    communityId: r.communityId,
    communityCode: r.communityCode,
    communityName: r.communityName,
    street: r.street,
  };
}

/** A registered transfer with what finance and the department need to find it, as FundingViews reads it. */
export interface FundingTransferRow extends ItemCommunityRef {
  id: string;
  amountFen: number;
  account: string;
  reference: string;
  registeredAt: Date;
  confirmedAt: Date | null;
  fundingDeadline: Date;
  state: TransferState;
  overdue: boolean;
}

export class FundingTransferRowDto extends ItemCommunityRefDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'In fen' }) amountFen: number;
  @ApiProperty() account: string;
  @ApiProperty() reference: string;
  @ApiProperty() registeredAt: Date;
  @ApiProperty({ nullable: true, type: Date }) confirmedAt: Date | null;
  @ApiProperty({ description: 'By when finance must confirm it' }) fundingDeadline: Date;
  @ApiProperty({
    enum: TRANSFER_STATE_VALUES,
    description:
      'awaiting: waits for finance; confirmed; lapsed: the community lapsed before it was confirmed; superseded: another transfer was confirmed',
  })
  state: TransferState;
  @ApiProperty({ description: 'Still awaiting and its deadline has passed' }) overdue: boolean;
}

export function toFundingTransferRowDto(r: FundingTransferRow): FundingTransferRowDto {
  return {
    id: r.id,
    ...toItemCommunityRef(r),
    amountFen: r.amountFen,
    account: r.account,
    reference: r.reference,
    registeredAt: r.registeredAt,
    confirmedAt: r.confirmedAt,
    fundingDeadline: r.fundingDeadline,
    state: r.state,
    overdue: r.overdue,
  };
}

/** The funding owed by an item to one community, as FundingViews reads it. */
export interface FundingDue extends ItemCommunityRef {
  fundingDueFen: number;
  fundingState: FundingState;
  registeredFen: number;
  confirmedFen: number;
  fundingDeadline: Date;
}

export class FundingDueDto extends ItemCommunityRefDto {
  @ApiProperty({ description: 'In fen' }) fundingDueFen: number;
  @ApiProperty({ enum: FUNDING_STATE_VALUES, description: FUNDING_STATE_DOC }) fundingState: FundingState;
  @ApiProperty({ description: 'Registered, not yet confirmed, in fen' }) registeredFen: number;
  @ApiProperty({ description: 'Confirmed by finance, in fen' }) confirmedFen: number;
  @ApiProperty() fundingDeadline: Date;
}

export function toFundingDueDto(d: FundingDue): FundingDueDto {
  return {
    ...toItemCommunityRef(d),
    fundingDueFen: d.fundingDueFen,
    fundingState: d.fundingState,
    registeredFen: d.registeredFen,
    confirmedFen: d.confirmedFen,
    fundingDeadline: d.fundingDeadline,
  };
}
