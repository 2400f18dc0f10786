import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { EmergencyItemDto } from './dto/emergency.dto.js';
import { EvaluationDto, ExitProposalDto } from './dto/exit.dto.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { RegisterQuery, RegisterTransferDto } from './dto/funding.dto.js';
import { ExitService } from './exit.service.js';
import { RegisterService } from './register.service.js';

@ApiTags('admitted items')
@Controller()
export class RegisterController {
  constructor(
    private readonly register: RegisterService,
    private readonly exits: ExitService,
    private readonly runtime: WorkflowRuntime,
  ) {}

  @Post('emergency-items')
  @Requires(
    '突发事件: the office admits an item at once for at most EMERGENCY_MAX_DAYS; it exits by itself unless regularized',
    [Permission.APPLICATION_REVIEW],
    ['UNIT_NOT_FOUND'],
  )
  emergency(@Body() dto: EmergencyItemDto, @CurrentActor() a: Actor) {
    return this.register.admitEmergency(a, dto, async (m, item) => {
      await this.runtime.start(
        a,
        {
          processId: 'emergency',
          businessKey: item.id,
          ownerUnitId: item.departmentId,
          variables: { itemId: item.id, expiresAt: this.register.expiresAt(item).toISOString() },
        },
        m,
      );
    });
  }

  @Post('admitted-items/:id/evaluations')
  @Requires(
    '居民评议: record residents’ evaluation of an item in my community; below the threshold an exit proposal opens',
    [Permission.EVALUATION_RECORD],
    ['ADMITTED_ITEM_NOT_FOUND', 'ITEM_NOT_IN_FORCE'],
  )
  evaluate(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: EvaluationDto,
    @CurrentActor() a: Actor,
  ) {
    return this.exits.recordEvaluation(a, id, dto);
  }

  @Post('admitted-items/:id/exit-proposals')
  @Requires(
    'Propose an exit: a committee for its community, the department or the office for a community or the whole item',
    [Permission.EXIT_PROPOSE],
    ['ADMITTED_ITEM_NOT_FOUND', 'ITEM_NOT_IN_FORCE', 'EXIT_ALREADY_PROPOSED'],
  )
  proposeExit(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: ExitProposalDto,
    @CurrentActor() a: Actor,
  ) {
    return this.exits.propose(a, id, dto);
  }

  @Get('admitted-items')
  @Public(
    'The public register: items in force on a day (default today), in one community (by its code) or everywhere',
  )
  inForce(@Query() q: RegisterQuery) {
    return this.register.inForce(q.community, q.asOf);
  }

  @Get('my-community/admitted-items')
  @Requires('A committee’s own list: the items in force in its community (on asOf, default today)', [
    Permission.DISPATCH_RESPOND,
  ])
  async mine(@Query() q: RegisterQuery, @CurrentActor() a: Actor) {
    const code = (await this.register.unitCode(a.principal!.unitId)) ?? '';
    return this.register.inForce(code, q.asOf);
  }

  @Get('admitted-items/:id')
  @Public('One admitted item with the funding state of each target community', ['ADMITTED_ITEM_NOT_FOUND'])
  item(@Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string) {
    return this.register.item(id);
  }

  @Post('admitted-items/:id/transfers')
  @HttpCode(200)
  @Requires(
    '费随事转: register the transfer of one community’s funding (idempotent by key)',
    [Permission.FUNDING_REGISTER],
    ['ADMITTED_ITEM_NOT_FOUND', 'FUNDING_NOT_DUE', 'FUNDING_AMOUNT_MISMATCH', 'IDEMPOTENCY_KEY_REUSED'],
  )
  registerTransfer(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: RegisterTransferDto,
    @CurrentActor() a: Actor,
  ) {
    return this.register.registerTransfer(a, id, dto);
  }

  @Post('funding-transfers/:id/confirm')
  @HttpCode(200)
  @Requires(
    'Finance confirms the money arrived: the item enters that community',
    [Permission.FUNDING_CONFIRM],
    ['TRANSFER_NOT_FOUND', 'FUNDING_LAPSED', 'FUNDING_NOT_DUE'],
  )
  confirm(@Param('id', uuidOr404('TRANSFER_NOT_FOUND')) id: string, @CurrentActor() a: Actor) {
    return this.register.confirmTransfer(a, id);
  }
}
