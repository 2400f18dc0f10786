import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, PageQuery } from '../common/pagination.js';
import { TaskListItemDto } from './dto/task.dto.js';
import {
  AddSignersDto,
  CommentDto,
  CompleteTaskDto,
  DelegateDto,
  HandOverCandidatesQuery,
  ReassignDto,
  ReturnTaskDto,
} from './dto/workflow.dto.js';
import { TaskCompletion } from './task-completion.service.js';
import { TaskHandover } from './task-handover.service.js';
import { TaskInbox } from './task-inbox.service.js';
import {
  CompleteResultDto,
  HandOverCandidateDto,
  TaskDetailDto,
  TaskInfoDto,
  UrgedTaskDto,
  toCompleteResultDto,
  toHandOverCandidateDto,
  toTaskDetailDto,
  toTaskInfoDto,
  toUrgedTaskDto,
} from './dto/workflow-responses.dto.js';

const id404 = uuidOr404('TASK_NOT_FOUND');

/** Tasks: any logged-in user acts on the tasks of their unit and role; each operation checks that. */
@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly taskInbox: TaskInbox,
    private readonly completion: TaskCompletion,
    private readonly handover: TaskHandover,
  ) {}

  @Get()
  @Requires(
    'My inbox: tasks assigned to me, claimable by my unit and role, or escalated to my unit; with time left',
    [],
  )
  @ApiPage(TaskListItemDto)
  inbox(@CurrentActor() a: Actor, @Query() q: PageQuery) {
    return this.taskInbox.inbox(a.principal!, q);
  }

  @Get(':id')
  @Requires('One task with its history', [], ['TASK_NOT_FOUND'])
  @ApiOkResponse({ type: TaskDetailDto })
  async get(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<TaskDetailDto> {
    return toTaskDetailDto(await this.taskInbox.get(a.principal!, id));
  }

  @Get(':id/hand-over-candidates')
  @Requires(
    'Whom I may hand the task to (转办, 委托 or 加签): the people its hand-over accepts, as the organization is now',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiPage(HandOverCandidateDto)
  async handOverCandidates(
    @Param('id', id404) id: string,
    @Query() q: HandOverCandidatesQuery,
    @CurrentActor() a: Actor,
  ) {
    const page = await this.handover.candidates(a, id, q.for, q);
    return { ...page, items: page.items.map(toHandOverCandidateDto) };
  }

  @Post(':id/claim')
  @HttpCode(200)
  @Requires(
    '认领: take a task for myself',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'TASK_ALREADY_CLAIMED', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async claim(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<TaskInfoDto> {
    return toTaskInfoDto(await this.handover.claim(a, id));
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @Requires(
    'Give a claimed task back to its candidates',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async unclaim(@Param('id', id404) id: string, @CurrentActor() a: Actor): Promise<TaskInfoDto> {
    return toTaskInfoDto(await this.handover.unclaim(a, id));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Requires(
    '办结: complete with a decision and form data',
    [],
    [
      'TASK_NOT_FOUND',
      'TASK_NOT_OPEN',
      'TASK_NOT_YOURS',
      'DECISION_NOT_ALLOWED',
      'DEFICIENCIES_REQUIRED',
      'FINDINGS_UNRESOLVED',
      'TASK_WAITING_FOR_SIGNERS',
      'INSTANCE_NOT_ACTIVE',
      'CONCURRENT_UPDATE',
    ],
  )
  @ApiOkResponse({ type: CompleteResultDto })
  async complete(@Param('id', id404) id: string, @Body() dto: CompleteTaskDto, @CurrentActor() a: Actor) {
    return toCompleteResultDto(await this.completion.complete(a, id, dto));
  }

  @Post(':id/return')
  @HttpCode(200)
  @Requires(
    '退回: return for correction, listing every deficiency at once (一次告知)',
    [],
    [
      'TASK_NOT_FOUND',
      'TASK_NOT_OPEN',
      'TASK_NOT_YOURS',
      'DECISION_NOT_ALLOWED',
      'DEFICIENCIES_REQUIRED',
      'INSTANCE_NOT_ACTIVE',
      'CONCURRENT_UPDATE',
    ],
  )
  @ApiOkResponse({ type: CompleteResultDto })
  async return(@Param('id', id404) id: string, @Body() dto: ReturnTaskDto, @CurrentActor() a: Actor) {
    const done = await this.completion.complete(a, id, {
      decision: 'return',
      deficiencies: dto.deficiencies,
      comment: dto.comment,
    });
    return toCompleteResultDto(done);
  }

  @Post(':id/release')
  @HttpCode(200)
  @Requires(
    '退回待领: the office of the task’s level gives a task stuck with someone back to its group',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async release(@Param('id', id404) id: string, @Body() dto: CommentDto, @CurrentActor() a: Actor) {
    return toTaskInfoDto(await this.handover.release(a, id, dto.comment));
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @Requires(
    '转办: hand the task to someone who could hold it (a candidate of its group); its holder, or the office of its level',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'VALIDATION_FAILED', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async reassign(@Param('id', id404) id: string, @Body() dto: ReassignDto, @CurrentActor() a: Actor) {
    return toTaskInfoDto(await this.handover.reassign(a, id, dto.toUserId, dto.comment));
  }

  @Post(':id/delegate')
  @HttpCode(200)
  @Requires(
    '委托: lend the task until a date to someone else who could hold it (a candidate of its group)',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'VALIDATION_FAILED', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async delegate(@Param('id', id404) id: string, @Body() dto: DelegateDto, @CurrentActor() a: Actor) {
    return toTaskInfoDto(await this.handover.delegate(a, id, dto.toUserId, dto.until, dto.comment));
  }

  @Post(':id/signers')
  @Requires(
    '加签: ask others who could hold the step (candidates of its group) to sign before it can be completed',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN', 'TASK_NOT_YOURS', 'VALIDATION_FAILED', 'INSTANCE_NOT_ACTIVE'],
  )
  @ApiCreatedResponse({ type: [TaskInfoDto], description: 'The added signers’ tasks' })
  async addSigners(@Param('id', id404) id: string, @Body() dto: AddSignersDto, @CurrentActor() a: Actor) {
    return (await this.handover.addSigners(a, id, dto.userIds, dto.comment)).map(toTaskInfoDto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Requires(
    '撤回: take back my completion while the next step has not been acted on',
    [],
    ['TASK_NOT_FOUND', 'WITHDRAW_NOT_POSSIBLE'],
  )
  @ApiOkResponse({ type: TaskInfoDto })
  async withdraw(@Param('id', id404) id: string, @Body() dto: CommentDto, @CurrentActor() a: Actor) {
    return toTaskInfoDto(await this.handover.withdraw(a, id, dto.comment));
  }

  @Post(':id/urge')
  @HttpCode(200)
  @Requires(
    '催办: remind whoever holds the task (case starter, escalation unit, overseers of the case’s area)',
    [],
    ['TASK_NOT_FOUND', 'TASK_NOT_OPEN'],
  )
  @ApiOkResponse({ type: UrgedTaskDto })
  async urge(@Param('id', id404) id: string, @Body() dto: CommentDto, @CurrentActor() a: Actor) {
    return toUrgedTaskDto(await this.handover.urge(a, id, dto.comment));
  }
}
