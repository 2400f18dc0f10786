import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public, Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, mapPage, type Page } from '../common/pagination.js';
import {
  AdmittedItemDto,
  AdmittedItemSummaryDto,
  ExitProposalInfoDto,
  ItemEvaluationResultDto,
  RegisterEntryDto,
  toAdmittedItemDto,
  toAdmittedItemSummaryDto,
  toExitProposalInfoDto,
  toItemEvaluationResultDto,
  toRegisterEntryDto,
} from './dto/item-responses.dto.js';
import {
  FundingDueDto,
  FundingTransferDto,
  FundingTransferRowDto,
  toFundingDueDto,
  toFundingTransferDto,
  toFundingTransferRowDto,
} from './dto/funding-responses.dto.js';
import { EmergencyItemDto } from './dto/emergency.dto.js';
import { EvaluationDto, ExitProposalDto } from './dto/exit.dto.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import {
  FundingDuesQuery,
  FundingTransfersQuery,
  RegisterQuery,
  RegisterTransferDto,
} from './dto/funding.dto.js';
import { FundingViews } from './funding-views.service.js';
import { RegisterReads } from './register-reads.service.js';
import { ExitService } from './exit.service.js';
import { FundingService } from './funding.service.js';
import { RegisterService } from './register.service.js';

@ApiTags('admitted items')
@Controller()
export class RegisterController {
  constructor(
    private readonly register: RegisterService,
    private readonly funding: FundingService,
    private readonly exits: ExitService,
    private readonly runtime: WorkflowRuntime,
    private readonly reads: RegisterReads,
    private readonly fundingViews: FundingViews,
  ) {}

  @Post('emergency-items')
  @Requires(
    '突发事件: the office admits an item at once for at most EMERGENCY_MAX_DAYS, with its funding per community and source (settled after the fact); it exits by itself unless regularized',
    [Permission.APPLICATION_REVIEW],
    ['UNIT_NOT_FOUND'],
  )
  @ApiCreatedResponse({ type: AdmittedItemSummaryDto })
  async emergency(@Body() dto: EmergencyItemDto, @CurrentActor() a: Actor): Promise<AdmittedItemSummaryDto> {
    const item = await this.register.admitEmergency(a, dto, async (m, item) => {
      await this.runtime.start(
        a,
        {
          processId: 'emergency',
          businessKey: item.id,
          ownerUnitId: item.departmentId,
          variables: {
            itemId: item.id,
            expiresAt: this.register.expiresAt(item).toISOString(),
            fundingDue: BigInt(item.fundingPerCommunityFen) > 0n,
            fundingDeadline: item.fundingDeadline.toISOString(),
          },
        },
        m,
      );
    });
    return toAdmittedItemSummaryDto(item);
  }

  @Post('admitted-items/:id/evaluations')
  @Requires(
    '居民评议: record residents’ evaluation of an item in my community; below the threshold an exit proposal opens',
    [Permission.EVALUATION_RECORD],
    ['ADMITTED_ITEM_NOT_FOUND', 'EVALUATION_NOT_IN_FORCE'],
  )
  @ApiCreatedResponse({ type: ItemEvaluationResultDto })
  async evaluate(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: EvaluationDto,
    @CurrentActor() a: Actor,
  ): Promise<ItemEvaluationResultDto> {
    return toItemEvaluationResultDto(await this.exits.recordEvaluation(a, id, dto));
  }

  @Post('admitted-items/:id/exit-proposals')
  @Requires(
    'Propose an exit: a committee for its community, the department or the office for a community or the whole item',
    [Permission.EXIT_PROPOSE],
    ['ADMITTED_ITEM_NOT_FOUND', 'ITEM_NOT_IN_FORCE', 'EXIT_ALREADY_PROPOSED'],
  )
  @ApiCreatedResponse({ type: ExitProposalInfoDto })
  async proposeExit(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: ExitProposalDto,
    @CurrentActor() a: Actor,
  ): Promise<ExitProposalInfoDto> {
    return toExitProposalInfoDto(await this.exits.propose(a, id, dto));
  }

  @Get('admitted-items')
  @Public(
    'The public register: items in force on a day (default today), ordered by number — in one community (by its code), in the communities whose name contains communityName, in an area (a street, district or city code), or everywhere',
    ['COMMUNITY_NOT_FOUND', 'UNIT_NOT_FOUND'],
  )
  @ApiPage(RegisterEntryDto)
  async inForce(@Query() q: RegisterQuery): Promise<Page<RegisterEntryDto>> {
    return mapPage(
      await this.reads.inForce(
        { communityCode: q.community, communityName: q.communityName, areaCode: q.area },
        q.asOf,
        q,
      ),
      toRegisterEntryDto,
    );
  }

  @Get('my-community/admitted-items')
  @Requires('A committee’s own list: the items in force in its community (on asOf, default today)', [
    Permission.DISPATCH_RESPOND,
  ])
  @ApiPage(RegisterEntryDto)
  async mine(@Query() q: RegisterQuery, @CurrentActor() a: Actor): Promise<Page<RegisterEntryDto>> {
    const code = (await this.reads.unitCode(a.principal!.unitId)) ?? '';
    return mapPage(await this.reads.inForce({ communityCode: code }, q.asOf, q, true), toRegisterEntryDto);
  }

  @Get('admitted-items/:id')
  @Public(
    'One admitted item, its application, and the funding of each target community (state, amounts, deadline)',
    ['ADMITTED_ITEM_NOT_FOUND'],
  )
  @ApiOkResponse({ type: AdmittedItemDto })
  async item(@Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string): Promise<AdmittedItemDto> {
    return toAdmittedItemDto(await this.reads.item(id));
  }

  @Get('funding-transfers')
  @Requires(
    '费随事转: registered transfers, deadline first — finance and the office: in their area (state=awaiting: finance’s inbox); a department: its own items’ transfers',
    [],
    ['FORBIDDEN'],
  )
  @ApiPage(FundingTransferRowDto)
  async transfers(
    @Query() q: FundingTransfersQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<FundingTransferRowDto>> {
    return mapPage(await this.fundingViews.transfers(a.principal!, q), toFundingTransferRowDto);
  }

  @Get('funding-dues')
  @Requires(
    '费随事转: funding owed per community of items with funding, deadline first (state=overdue: emergency items whose funding was not confirmed in time) — finance and the office: in their area; a department: its own items',
    [],
    ['FORBIDDEN'],
  )
  @ApiPage(FundingDueDto)
  async dues(@Query() q: FundingDuesQuery, @CurrentActor() a: Actor): Promise<Page<FundingDueDto>> {
    return mapPage(await this.fundingViews.dues(a.principal!, q), toFundingDueDto);
  }

  @Post('admitted-items/:id/transfers')
  @HttpCode(200)
  @Requires(
    '费随事转: register the transfer of one community’s funding (idempotent by key)',
    [Permission.FUNDING_REGISTER],
    ['ADMITTED_ITEM_NOT_FOUND', 'FUNDING_NOT_DUE', 'FUNDING_AMOUNT_MISMATCH', 'IDEMPOTENCY_KEY_REUSED'],
  )
  @ApiOkResponse({ type: FundingTransferDto })
  async registerTransfer(
    @Param('id', uuidOr404('ADMITTED_ITEM_NOT_FOUND')) id: string,
    @Body() dto: RegisterTransferDto,
    @CurrentActor() a: Actor,
  ): Promise<FundingTransferDto> {
    return toFundingTransferDto(await this.funding.registerTransfer(a, id, dto));
  }

  @Post('funding-transfers/:id/confirm')
  @HttpCode(200)
  @Requires(
    'Finance confirms the money arrived: the item enters that community',
    [Permission.FUNDING_CONFIRM],
    ['TRANSFER_NOT_FOUND', 'FUNDING_LAPSED', 'FUNDING_NOT_DUE'],
  )
  @ApiOkResponse({ type: FundingTransferDto })
  async confirm(
    @Param('id', uuidOr404('TRANSFER_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<FundingTransferDto> {
    return toFundingTransferDto(await this.funding.confirmTransfer(a, id));
  }
}
