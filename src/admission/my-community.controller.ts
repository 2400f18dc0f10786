import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { ApiPage, mapPage, type Page } from '../common/pagination.js';
import {
  CommunityEvaluationDto,
  CommunityExitProposalDto,
  MyCommunityEvaluationsQuery,
  MyCommunityExitProposalsQuery,
  toCommunityEvaluationDto,
  toCommunityExitProposalDto,
} from './dto/my-community.dto.js';
import { ExitReads } from './exit-reads.service.js';

/** A committee's own community: the exit proposals concerning it and the residents' evaluations it recorded. */
@ApiTags('admitted items')
@Controller('my-community')
export class MyCommunityController {
  constructor(private readonly reads: ExitReads) {}

  @Get('exit-proposals')
  @Requires(
    'A committee’s exit proposals: those concerning its community (its own, opened by an evaluation, or the department’s or office’s for it or for the whole item), newest first, with their state',
    [Permission.DISPATCH_RESPOND],
  )
  @ApiPage(CommunityExitProposalDto)
  async proposals(
    @Query() q: MyCommunityExitProposalsQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<CommunityExitProposalDto>> {
    return mapPage(
      await this.reads.proposalsOf(a.principal!.unitId, { itemId: q.itemId, status: q.status }, q),
      toCommunityExitProposalDto,
    );
  }

  @Get('evaluations')
  @Requires('A committee’s residents’ evaluations recorded for its community, newest first', [
    Permission.DISPATCH_RESPOND,
  ])
  @ApiPage(CommunityEvaluationDto)
  async evaluations(
    @Query() q: MyCommunityEvaluationsQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<CommunityEvaluationDto>> {
    return mapPage(
      await this.reads.evaluationsOf(a.principal!.unitId, { itemId: q.itemId }, q),
      toCommunityEvaluationDto,
    );
  }
}
