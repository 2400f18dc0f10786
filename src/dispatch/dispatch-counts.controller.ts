import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { ApiPage, type Page } from '../common/pagination.js';
import { DispatchCountsService } from './dispatch-counts.service.js';
import { DispatchCountsQuery, DispatchCountsRowDto } from './dto/dispatch-counts.dto.js';

/** 派单统计: the counts of dispatched work for the burden monitor (issue 14 §5). */
@ApiTags('dispatch')
@Controller('dispatch-counts')
export class DispatchCountsController {
  constructor(private readonly counts: DispatchCountsService) {}

  @Get()
  @Requires(
    'Counts of dispatched work sent in a period (China days, at most 366), per community of your area (or per sending department): received, covered, uncovered by reason, refused, contested, upheld, overturned, withdrawn, done, hours spent',
    [Permission.BURDEN_READ],
    ['COMMUNITY_NOT_FOUND', 'UNIT_NOT_FOUND'],
  )
  @ApiPage(DispatchCountsRowDto)
  async list(@Query() q: DispatchCountsQuery, @CurrentActor() a: Actor): Promise<Page<DispatchCountsRowDto>> {
    return this.counts.counts(a.principal!, q);
  }
}
