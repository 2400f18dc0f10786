import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, mapPage, type Page } from '../common/pagination.js';
import {
  CreateStampProposalDto,
  ProposableScopesDto,
  ProposedStampChangeDto,
  StampListDetailDto,
  StampListQuery,
  StampListRowDto,
  StampProposalDetailDto,
  StampProposalDto,
  StampProposalQuery,
} from './dto/stamp-proposals.dto.js';
import {
  toStampListDetailDto,
  toStampListRowDto,
  toStampProposalDetailDto,
  toStampProposalDto,
} from './dto/stamp-proposal-responses.js';
import type { StampChangeSet } from './stamp-changes.js';
import { StampListReads } from './stamp-list-reads.js';
import { StampProposalsService } from './stamp-proposals.service.js';

const PROPOSE =
  'Propose a change to the stamp registry (a new list with its entries, entries added, an entry changed, an entry or a list retired), each with its effective date; the principal leader of the level approves (workflows/stamp-list.bpmn) and the approved set is published at once, joining the public answers from its effective dates. A district office proposes in its district, the city office in its city, and enters national and provincial lists citing their document';
const LISTS =
  'The stamp lists (盖章证明事项清单) as documents, newest version of each: source document, scope, type, dates, status today; national first';
const LIST =
  'One stamp list: its versions, and each entry with every version and what each changed (the diff history)';

@ApiTags('stamp registry')
@Controller()
export class StampProposalsController {
  constructor(
    private readonly proposals: StampProposalsService,
    private readonly lists: StampListReads,
  ) {}

  @Post('stamp-proposals')
  @Requires(
    PROPOSE,
    [Permission.REGISTRY_MANAGE],
    [
      'STAMP_PROPOSAL_OUT_OF_SCOPE',
      'STAMP_LIST_NOT_FOUND',
      'STAMP_ENTRY_NOT_FOUND',
      'STAMP_RETIREMENT_BEFORE_START',
      'STAMP_ALREADY_RETIRED',
      'STAMP_ENTRY_BACKDATED',
    ],
  )
  @ApiCreatedResponse({ type: ProposedStampChangeDto })
  async propose(
    @Body() dto: CreateStampProposalDto,
    @CurrentActor() a: Actor,
  ): Promise<ProposedStampChangeDto> {
    const set = { ...dto, origin: { kind: 'typed' } } as unknown as StampChangeSet;
    return this.proposals.propose(a, set);
  }

  @Get('stamp-proposals')
  @Requires('The stamp-list proposals of the reader’s level, newest first, with their state and case', [
    Permission.STAMP_PROPOSAL_READ,
  ])
  @ApiPage(StampProposalDto)
  async list(@Query() q: StampProposalQuery, @CurrentActor() a: Actor): Promise<Page<StampProposalDto>> {
    return mapPage(await this.proposals.list(a.principal!, q), toStampProposalDto);
  }

  @Get('stamp-proposals/scopes')
  @Requires('The scopes the caller’s office may propose stamp-list changes in', [Permission.REGISTRY_MANAGE])
  @ApiOkResponse({ type: ProposableScopesDto })
  async scopes(@CurrentActor() a: Actor): Promise<ProposableScopesDto> {
    return { scopes: await this.proposals.proposableScopes(a.principal!) };
  }

  @Get('stamp-proposals/:id')
  @Requires(
    'One stamp-list proposal with its diff against what is in force on each change’s effective date',
    [Permission.STAMP_PROPOSAL_READ],
    ['STAMP_PROPOSAL_NOT_FOUND'],
  )
  @ApiOkResponse({ type: StampProposalDetailDto })
  async get(
    @Param('id', uuidOr404('STAMP_PROPOSAL_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<StampProposalDetailDto> {
    return toStampProposalDetailDto(await this.proposals.get(a.principal!, id));
  }

  @Get('stamp-lists')
  @ApiOperation({ summary: LISTS, description: 'Public: no login needed (the registry is public).' })
  @Public(LISTS)
  @ApiPage(StampListRowDto)
  async stampLists(@Query() q: StampListQuery): Promise<Page<StampListRowDto>> {
    return mapPage(await this.lists.list(q), toStampListRowDto);
  }

  @Get('stamp-lists/:listKey')
  @ApiOperation({ summary: LIST, description: 'Public: no login needed (the registry is public).' })
  @Public(LIST, ['STAMP_LIST_NOT_FOUND'])
  @ApiOkResponse({ type: StampListDetailDto })
  async stampList(
    @Param('listKey', uuidOr404('STAMP_LIST_NOT_FOUND')) listKey: string,
  ): Promise<StampListDetailDto> {
    return toStampListDetailDto(await this.lists.get(listKey));
  }
}
