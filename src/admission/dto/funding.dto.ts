import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDateString,
  IsIn,
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
import { PageQuery } from '../../common/pagination.js';
import {
  FUNDING_STATE_VALUES,
  TRANSFER_STATE_VALUES,
  type FundingState,
  type TransferState,
} from './item-responses.dto.js';
import { IDEMPOTENCY_KEY_MESSAGE } from '../../common/validation-messages.js';

export class RegisterTransferDto {
  @ApiProperty() @IsUUID() communityId: string;
  @ApiProperty({
    description: 'Amount in fen (分), a whole number equal to the approved funding per community',
  })
  @IsInt({ message: 'amountFen 须为以“分”计的整数。amountFen must be a whole number of fen.' })
  @Min(1)
  @Max(1_000_000_000_00)
  amountFen: number;
  @ApiProperty({ description: 'The street’s dedicated community account (社区财务专账)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  account: string;
  @ApiProperty({ description: 'Bank or treasury reference' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  reference: string;
  @ApiProperty({ description: 'Your key for this transfer: sending it again answers the same transfer' })
  @IsString()
  @Matches(/^[\w.:-]{1,100}$/, { message: IDEMPOTENCY_KEY_MESSAGE })
  idempotencyKey: string;
}

export class RegisterQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'A community’s unit code' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  community?: string;
  @ApiPropertyOptional({
    description:
      'Part of a community’s name (e.g. 杏花): every community whose name contains it; each entry names the street, to tell apart communities of the same name',
    example: '杏花',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  communityName?: string;
  @ApiPropertyOptional({
    description: 'The unit code of a street, district or city: what is in force in its communities',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  area?: string;
  @ApiPropertyOptional({ description: 'The day to answer for (YYYY-MM-DD); default today' })
  @IsOptional()
  @IsDateString({ strict: true })
  asOf?: string;
}

export class FundingTransfersQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: TRANSFER_STATE_VALUES,
    description: 'awaiting: finance’s inbox (transfers waiting for its confirmation); none: every state',
  })
  @IsOptional()
  @IsIn(TRANSFER_STATE_VALUES)
  state?: TransferState;
}

export class FundingDuesQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: FUNDING_STATE_VALUES,
    description: 'overdue: emergency items in force whose funding was not confirmed within the window',
  })
  @IsOptional()
  @IsIn(FUNDING_STATE_VALUES)
  state?: FundingState;
}
