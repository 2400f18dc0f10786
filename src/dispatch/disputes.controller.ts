import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, type Page } from '../common/pagination.js';
import { DisputeReads } from './dispute-reads.service.js';
import { DisputeDetailDto, DisputeDto, DisputeListQuery } from './dto/dispute-responses.dto.js';

/**
 * 拒绝争议 pages (issue 14 §6): the contested refusals the street office and the district office work, and that
 * the department and the committee follow.
 */
@ApiTags('dispatch')
@Controller('disputes')
export class DisputesController {
  constructor(private readonly disputes: DisputeReads) {}

  @Get()
  @Requires(
    'Contested refusals, newest contest first: for the street, district and city office those of the communities in their area; for a department its own work; for a committee its own refusals. Each with the work, the refusal and its rule, the department’s argument and basis, the street’s deadline, the ruling, and the open step the caller may act on',
    [Permission.DISPUTE_READ],
  )
  @ApiPage(DisputeDto)
  async list(@Query() q: DisputeListQuery, @CurrentActor() a: Actor): Promise<Page<DisputeDto>> {
    return this.disputes.list(a.principal!, q);
  }

  @Get(':deliveryId')
  @Requires(
    'One contested refusal (by the community’s piece of work) with the work’s content and due date and that community’s coverage reasons; one the caller may not see answers 404 like a missing one',
    [Permission.DISPUTE_READ],
    ['DISPUTE_NOT_FOUND'],
  )
  @ApiOkResponse({ type: DisputeDetailDto })
  async get(
    @Param('deliveryId', uuidOr404('DISPUTE_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<DisputeDetailDto> {
    return this.disputes.get(a.principal!, id);
  }
}
