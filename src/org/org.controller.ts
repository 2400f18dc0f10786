import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, type Page } from '../common/pagination.js';
import { LeadingGroupDto, ListUnitsQuery, UnitDto, UnitTreeNodeDto } from './dto/org.dto.js';
import { OrgService } from './org.service.js';

@ApiTags('organization')
@Controller('org')
export class OrgController {
  constructor(private readonly org: OrgService) {}

  @Get('units')
  @Requires('Units visible to me (my scope and my own superiors)', [Permission.ORG_READ])
  @ApiPage(UnitDto)
  list(@Query() q: ListUnitsQuery, @CurrentActor() a: Actor): Promise<Page<UnitDto>> {
    return this.org.listUnits(a.principal!, q);
  }

  @Get('tree')
  @Requires('The organization tree as far as I may see it', [Permission.ORG_READ])
  @ApiOkResponse({ type: [UnitTreeNodeDto] })
  tree(@CurrentActor() a: Actor): Promise<UnitTreeNodeDto[]> {
    return this.org.tree(a.principal!);
  }

  @Get('units/:id')
  @Requires('One unit; a unit outside my scope answers 404', [Permission.ORG_READ], ['UNIT_NOT_FOUND'])
  @ApiOkResponse({ type: UnitDto })
  get(@Param('id', uuidOr404('UNIT_NOT_FOUND')) id: string, @CurrentActor() a: Actor): Promise<UnitDto> {
    return this.org.getUnit(a.principal!, id);
  }

  @Get('leading-groups/:id')
  @Requires(
    'A leading group with its office, principal leader and member units',
    [Permission.ORG_READ],
    ['LEADING_GROUP_NOT_FOUND'],
  )
  @ApiOkResponse({ type: LeadingGroupDto })
  leadingGroup(
    @Param('id', uuidOr404('LEADING_GROUP_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<LeadingGroupDto> {
    return this.org.getLeadingGroup(a.principal!, id);
  }
}
