import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, type Page } from '../common/pagination.js';
import { CoveragePreviewDto, DispatchDto, ReceivedWorkDto } from './dto/dispatch-responses.dto.js';
import {
  ContestDto,
  DispatchListQuery,
  DoneDto,
  EmptyBodyDto,
  ReceivedWorkQuery,
  RefuseDto,
  SendDispatchDto,
  WithdrawDispatchDto,
} from './dto/dispatch.dto.js';
import { DispatchSendService } from './dispatch-send.service.js';
import { DispatchesService } from './dispatches.service.js';
import { DisputeService } from './dispute.service.js';
import { ReceivedWorkService } from './received-work.service.js';

const dispatchId = uuidOr404('DISPATCH_NOT_FOUND');
const pieceId = uuidOr404('RECEIVED_WORK_NOT_FOUND');

/** 派单: a department sends work to communities; its coverage is computed per community when sent. */
@ApiTags('dispatch')
@Controller()
export class DispatchController {
  constructor(
    private readonly sending: DispatchSendService,
    private readonly dispatches: DispatchesService,
  ) {}

  @Post('dispatches/preview')
  @HttpCode(200)
  @Requires(
    'The coverage per community of a piece of work, computed as sending would, before sending (nothing is written)',
    [Permission.DISPATCH_SEND],
    ['UNIT_NOT_FOUND', 'ADMITTED_ITEM_NOT_FOUND'],
  )
  @ApiOkResponse({ type: CoveragePreviewDto })
  async preview(@Body() dto: SendDispatchDto, @CurrentActor() a: Actor): Promise<CoveragePreviewDto> {
    return this.sending.preview(a.principal!, dto);
  }

  @Post('dispatches')
  @Requires(
    'Send work to communities (a list, or every community under a street or district within reach), all in one transaction; each community’s coverage is stored with its piece, uncovered work is delivered flagged; the same idempotencyKey answers the same dispatch (200)',
    [Permission.DISPATCH_SEND],
    ['UNIT_NOT_FOUND', 'ADMITTED_ITEM_NOT_FOUND', 'DISPATCH_IDEMPOTENCY_KEY_REUSED'],
  )
  @ApiCreatedResponse({ type: DispatchDto })
  @ApiOkResponse({ type: DispatchDto, description: 'The same idempotency key: the dispatch already sent' })
  async send(
    @Body() dto: SendDispatchDto,
    @CurrentActor() a: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DispatchDto> {
    const { dispatch, created } = await this.sending.send(a, dto);
    reply.status(created ? 201 : 200);
    return dispatch;
  }

  @Get('dispatches')
  @Requires(
    'The department’s own dispatches, newest first, each with per-community counts by state and its refusals',
    [Permission.DISPATCH_SEND],
  )
  @ApiPage(DispatchDto)
  async list(@Query() q: DispatchListQuery, @CurrentActor() a: Actor): Promise<Page<DispatchDto>> {
    return this.dispatches.list(a.principal!, q);
  }

  @Get('dispatches/:id')
  @Requires(
    'One of the department’s dispatches with every community’s coverage and state',
    [Permission.DISPATCH_SEND],
    ['DISPATCH_NOT_FOUND'],
  )
  @ApiOkResponse({ type: DispatchDto })
  async get(@Param('id', dispatchId) id: string, @CurrentActor() a: Actor): Promise<DispatchDto> {
    return this.dispatches.get(a.principal!, id);
  }

  @Post('dispatches/:id/withdraw')
  @HttpCode(200)
  @Requires(
    'Withdraw the work from every community not done, or from the communities named (a named piece done: 409, nothing changes; named pieces already withdrawn are left as they are, 409 when all are — so a withdrawal that failed part-way finishes when sent again); a piece whose refusal is contested has its dispute end with it (its case terminated, the street or district office’s task gone)',
    [Permission.DISPATCH_SEND],
    [
      'DISPATCH_NOT_FOUND',
      'DISPATCH_COMMUNITY_NOT_FOUND',
      'DISPATCH_ALREADY_DONE',
      'DISPATCH_ALREADY_WITHDRAWN',
      'DISPATCH_NOTHING_TO_WITHDRAW',
      'DISPATCH_DISPUTE_SUSPENDED',
      'CONCURRENT_UPDATE',
    ],
  )
  @ApiOkResponse({ type: DispatchDto })
  async withdraw(
    @Param('id', dispatchId) id: string,
    @Body() dto: WithdrawDispatchDto,
    @CurrentActor() a: Actor,
  ): Promise<DispatchDto> {
    return this.dispatches.withdraw(a, id, dto);
  }
}

/** 拒绝争议: the department contests a committee's refusal (workflows/refusal-dispute.bpmn). */
@ApiTags('dispatch')
@Controller('dispatches')
export class DisputeController {
  constructor(
    private readonly disputes: DisputeService,
    private readonly dispatches: DispatchesService,
  ) {}

  @Post(':id/contest')
  @HttpCode(200)
  @Requires(
    'Seed 002 §4: contest one community’s refusal with an argument and basis; the street office mediates within 5 working days, then the district office rules (refusal upheld: the work is closed; overturned: it stands)',
    [Permission.DISPATCH_SEND],
    [
      'DISPATCH_NOT_FOUND',
      'DISPATCH_COMMUNITY_NOT_FOUND',
      'DISPUTE_NOT_REFUSED',
      'DISPUTE_WORK_WITHDRAWN',
      'DISPUTE_ALREADY_OPEN',
      'DISPUTE_ALREADY_RULED',
    ],
  )
  @ApiOkResponse({ type: DispatchDto })
  async contest(
    @Param('id', dispatchId) id: string,
    @Body() dto: ContestDto,
    @CurrentActor() a: Actor,
  ): Promise<DispatchDto> {
    await this.disputes.contest(a, id, dto);
    return this.dispatches.get(a.principal!, id);
  }
}

/** 收到的工作: the committee's received work — accept, mark done, or refuse with one action. */
@ApiTags('dispatch')
@Controller('my-community/received-work')
export class ReceivedWorkController {
  constructor(private readonly received: ReceivedWorkService) {}

  @Get()
  @Requires(
    'The committee’s received work: open pieces first, nearest due date first, then newest; then closed pieces, newest first; each with its coverage, the rule cited, due date and department',
    [Permission.DISPATCH_RESPOND],
  )
  @ApiPage(ReceivedWorkDto)
  async inbox(@Query() q: ReceivedWorkQuery, @CurrentActor() a: Actor): Promise<Page<ReceivedWorkDto>> {
    return this.received.inbox(a.principal!, q);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Requires(
    'Accept a piece of received work',
    [Permission.DISPATCH_RESPOND],
    [
      'RECEIVED_WORK_NOT_FOUND',
      'DISPATCH_ALREADY_ACCEPTED',
      'DISPATCH_ALREADY_DONE',
      'DISPATCH_ALREADY_REFUSED',
      'DISPATCH_WITHDRAWN',
    ],
  )
  @ApiOkResponse({ type: ReceivedWorkDto })
  async accept(
    @Param('id', pieceId) id: string,
    @Body() _dto: EmptyBodyDto,
    @CurrentActor() a: Actor,
  ): Promise<ReceivedWorkDto> {
    return this.received.accept(a, id);
  }

  @Post(':id/done')
  @HttpCode(200)
  @Requires(
    'Mark a piece done with the hours it took',
    [Permission.DISPATCH_RESPOND],
    ['RECEIVED_WORK_NOT_FOUND', 'DISPATCH_ALREADY_DONE', 'DISPATCH_ALREADY_REFUSED', 'DISPATCH_WITHDRAWN'],
  )
  @ApiOkResponse({ type: ReceivedWorkDto })
  async done(
    @Param('id', pieceId) id: string,
    @Body() dto: DoneDto,
    @CurrentActor() a: Actor,
  ): Promise<ReceivedWorkDto> {
    return this.received.done(a, id, dto);
  }

  @Post(':id/refuse')
  @HttpCode(200)
  @Requires(
    'Seed 002 §4: refuse a piece with one action; the reason defaults to its coverage reason (a covered piece needs a typed note)',
    [Permission.DISPATCH_RESPOND],
    [
      'RECEIVED_WORK_NOT_FOUND',
      'DISPATCH_ALREADY_DONE',
      'DISPATCH_ALREADY_REFUSED',
      'DISPATCH_WITHDRAWN',
      'DISPUTE_ALREADY_RULED',
    ],
  )
  @ApiOkResponse({ type: ReceivedWorkDto })
  async refuse(
    @Param('id', pieceId) id: string,
    @Body() dto: RefuseDto,
    @CurrentActor() a: Actor,
  ): Promise<ReceivedWorkDto> {
    return this.received.refuse(a, id, dto);
  }
}
