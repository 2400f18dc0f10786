import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators.js';
import { ApiPage, type Page } from '../common/pagination.js';
import {
  StampCheckDto,
  StampCheckQuery,
  StampCheckQueryPipe,
  type StampCheckParams,
  StampSearchQuery,
  StampSearchRowDto,
} from './dto/stamp-items.dto.js';
import { StampCommunitiesQuery, StampCommunityChoiceDto } from './dto/stamp-communities.dto.js';
import { toStampCheckDto, toStampSearchRowDto } from './dto/stamp-responses.js';
import { StampRegistryService } from './stamp-registry.service.js';

/** The rule, as the OpenAPI states it (README: the stamp registry). */
export const PRECEDENCE_RULE =
  'Precedence: for the community on the date, every list in force whose scope contains it applies (national; a ' +
  'province, city or district whose division code is a prefix of the community’s unit code). Within one scope the ' +
  'newer document’s entry supersedes the older’s for the same certificate. Across scopes a prohibition in force at ' +
  'any level wins over an allowance (a lower level may be stricter, never looser). An allowance stands where ' +
  'nothing prohibits. Otherwise the answer is not-listed: a committee issues a certificate only with a legal basis ' +
  '(民发〔2020〕20号). A list or entry that was not yet in force on the date is ignored. Names are matched as people ' +
  'type them (full/half width, spaces and punctuation, 开具…证明 and other filler, word order, part of a name, ' +
  'common names); a weak or ambiguous match is never decided: it answers not-listed with candidates — nor is a name ' +
  'with other words around it (不在本社区居住证明 is not 居住证明) or a short part of a name. An allowance worded ' +
  'otherwise does not escape a prohibition the same text names (养犬登记证明 holds 养犬证明). A name longer than 100 ' +
  'characters once normalised answers 400.';

const SEARCH =
  'Search the stamp registry (盖章证明事项清单): the entries in force on a day (default today) in the lists that apply to a community (or in every list), best match first';
const CHECK =
  'May the committee stamp this? The decision (allowed / prohibited / not-listed) for a certificate in a community on a day (without community: the national answer; without date: today), with the deciding entry, its legal basis and source, the entries it overrode, and candidates when the name was unclear';

const COMMUNITIES =
  'The communities the check may be asked for, found by a part of their name, with their street and district (for the public page: pick a community by its name)';

@ApiTags('stamp registry')
@Controller('stamp-items')
export class StampsController {
  constructor(private readonly registry: StampRegistryService) {}

  @Get()
  @Public(SEARCH, ['COMMUNITY_NOT_FOUND'], PRECEDENCE_RULE)
  @ApiPage(StampSearchRowDto)
  async search(@Query() q: StampSearchQuery): Promise<Page<StampSearchRowDto>> {
    const { page, scopes } = await this.registry.search(q.q, q.community, q.date, q);
    return { ...page, items: page.items.map((x) => toStampSearchRowDto(x, scopes)) };
  }

  @Get('check')
  @Public(CHECK, ['COMMUNITY_NOT_FOUND'], PRECEDENCE_RULE)
  @ApiOkResponse({ type: StampCheckDto })
  @ApiQuery({ type: StampCheckQuery })
  // The answer is sent as the JSON kept for the question (StampRegistryService.checkRendered): a StampCheckDto.
  @Header('Content-Type', 'application/json; charset=utf-8')
  async check(@Query(StampCheckQueryPipe) q: StampCheckParams): Promise<string> {
    return this.registry.checkRendered(q.name, q.community, q.date, (a) =>
      JSON.stringify(toStampCheckDto(a)),
    );
  }

  @Get('communities')
  @Public(COMMUNITIES)
  @ApiPage(StampCommunityChoiceDto)
  async communities(@Query() q: StampCommunitiesQuery): Promise<Page<StampCommunityChoiceDto>> {
    return this.registry.communities(q.name, q);
  }
}
