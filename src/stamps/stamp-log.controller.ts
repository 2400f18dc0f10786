import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, PageQuery, type Page } from '../common/pagination.js';
import {
  AddStampMemberDto,
  MyStampLogQuery,
  RecordStampDto,
  StampLogCountDto,
  StampLogCountsQuery,
  StampLogEntryDto,
  StampLogQuery,
  StampMemberDto,
  VoidStampDto,
} from './dto/stamp-log.dto.js';
import { StampLogService } from './stamp-log.service.js';
import { StampRosterService } from './stamp-roster.service.js';

/** The committee's own stamp log (用印登记) and its roster of members who may stamp (用印人员). */
@ApiTags('stamp log')
@Controller('my-community/stamp-log')
export class MyStampLogController {
  constructor(
    private readonly log: StampLogService,
    private readonly roster: StampRosterService,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires(
    'Record a stamp (用印登记) of my community: the certificate is checked against the registry on the day of the stamp — prohibited: 409 STAMP_PROHIBITED citing the list; not listed: legalBasis required; handler and approver: two different members on the stamp roster (temporary staff are not); with correctsId and correctionReason it replaces (voids) an earlier entry',
    [Permission.DISPATCH_RESPOND],
    ['STAMP_PROHIBITED', 'STAMP_HANDLER_NOT_AUTHORISED', 'STAMP_LOG_NOT_FOUND', 'STAMP_LOG_ALREADY_VOIDED'],
  )
  @ApiCreatedResponse({ type: StampLogEntryDto })
  async record(@Body() body: RecordStampDto, @CurrentActor() a: Actor): Promise<StampLogEntryDto> {
    return this.log.record(a, body);
  }

  @Get()
  @Requires(
    'My community’s stamp log, newest stamp first, by day range (China time) and part of the certificate’s name; voided entries included (with their void)',
    [Permission.DISPATCH_RESPOND],
  )
  @ApiPage(StampLogEntryDto)
  async list(@Query() q: MyStampLogQuery, @CurrentActor() a: Actor): Promise<Page<StampLogEntryDto>> {
    return this.log.listMine(a, q, q);
  }

  @Get('members')
  @Requires(
    'My community’s accounts and which are on the stamp roster (用印人员: may handle or approve a stamp; the others, e.g. temporary staff, may not)',
    [Permission.DISPATCH_RESPOND],
  )
  @ApiPage(StampMemberDto)
  async members(@Query() q: PageQuery, @CurrentActor() a: Actor): Promise<Page<StampMemberDto>> {
    return this.roster.members(a, q);
  }

  @Post('members')
  @HttpCode(200)
  @Requires(
    'Put an account of my community on the stamp roster; once the roster has members only they may change it',
    [Permission.DISPATCH_RESPOND],
    ['STAMP_MEMBER_NOT_FOUND', 'STAMP_ROSTER_MEMBERS_ONLY'],
  )
  @ApiOkResponse({ type: StampMemberDto })
  async addMember(@Body() body: AddStampMemberDto, @CurrentActor() a: Actor): Promise<StampMemberDto> {
    return this.roster.addMember(a, body.userId);
  }

  @Post('members/:userId/remove')
  @HttpCode(200)
  @Requires(
    'Take an account off the stamp roster (only a member of the roster may)',
    [Permission.DISPATCH_RESPOND],
    ['STAMP_MEMBER_NOT_FOUND', 'STAMP_ROSTER_MEMBERS_ONLY'],
  )
  @ApiOkResponse({ type: StampMemberDto })
  async removeMember(
    @Param('userId', uuidOr404('STAMP_MEMBER_NOT_FOUND')) userId: string,
    @CurrentActor() a: Actor,
  ): Promise<StampMemberDto> {
    return this.roster.removeMember(a, userId);
  }

  @Get(':id')
  @Requires('One entry of my community’s stamp log; another community’s answers 404', [
    Permission.DISPATCH_RESPOND,
  ])
  @ApiOkResponse({ type: StampLogEntryDto })
  async get(
    @Param('id', uuidOr404('STAMP_LOG_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<StampLogEntryDto> {
    return this.log.getMine(a, id);
  }

  @Post(':id/void')
  @HttpCode(200)
  @Requires(
    'Void an entry of my community’s stamp log, with a reason (the entry stays, marked void; once only)',
    [Permission.DISPATCH_RESPOND],
    ['STAMP_LOG_NOT_FOUND', 'STAMP_LOG_ALREADY_VOIDED'],
  )
  @ApiOkResponse({ type: StampLogEntryDto })
  async void(
    @Param('id', uuidOr404('STAMP_LOG_NOT_FOUND')) id: string,
    @Body() body: VoidStampDto,
    @CurrentActor() a: Actor,
  ): Promise<StampLogEntryDto> {
    return this.log.void(a, id, body.reason);
  }
}

const OVERSEERS =
  'Holders of burden:read (the street: its communities; the district or city office and leader: their area) or audit:read (the auditor: the area of the audit unit); others 403.';

/** The stamp logs of the communities in my area, for the street, the district and the auditor. */
@ApiTags('stamp log')
@Controller('stamp-log')
export class StampLogController {
  constructor(private readonly log: StampLogService) {}

  @Get('counts')
  @Requires(
    `Stamps per community and certificate between two days (China time, inclusive), voided entries left out. ${OVERSEERS}`,
    [],
    ['FORBIDDEN', 'COMMUNITY_NOT_FOUND'],
  )
  @ApiPage(StampLogCountDto)
  async counts(@Query() q: StampLogCountsQuery, @CurrentActor() a: Actor): Promise<Page<StampLogCountDto>> {
    return this.log.counts(a, q, q);
  }

  @Get()
  @Requires(
    `The stamp log entries of the communities in my area, newest first; the requester’s phone masked (138****1234) except for the auditor. ${OVERSEERS}`,
    [],
    ['FORBIDDEN', 'COMMUNITY_NOT_FOUND'],
  )
  @ApiPage(StampLogEntryDto)
  async list(@Query() q: StampLogQuery, @CurrentActor() a: Actor): Promise<Page<StampLogEntryDto>> {
    return this.log.listInArea(a, q, q);
  }

  @Get(':id')
  @Requires(
    `One stamp log entry of a community in my area; any other answers 404. ${OVERSEERS}`,
    [],
    ['FORBIDDEN', 'STAMP_LOG_NOT_FOUND'],
  )
  @ApiOkResponse({ type: StampLogEntryDto })
  async get(
    @Param('id', uuidOr404('STAMP_LOG_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<StampLogEntryDto> {
    return this.log.getInArea(a, id);
  }
}
