import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/decorators.js';
import { Permission } from '../auth/permissions.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { uuidOr404 } from '../common/id-param.js';
import { ApiPage, mapPage, PageQuery, type Page } from '../common/pagination.js';
import { isCalendarDay } from '../common/validation.js';
import { DefinitionsService } from './definitions.service.js';
import { CalendarDayDto, CalendarQuery, CommentDto, StartInstanceDto } from './dto/workflow.dto.js';
import {
  CalendarDayInfoDto,
  DiagramDto,
  HistoryEntryDto,
  IncidentDto,
  InstanceDto,
  ProcessDto,
  RetryResultDto,
  toCalendarDayInfoDto,
  toDiagramDto,
  toHistoryEntryDto,
  toIncidentDto,
  toInstanceDto,
  toProcessDto,
  toRetryResultDto,
} from './dto/workflow-responses.dto.js';
import { InstanceControlService } from './instance-control.service.js';
import { InstancesService } from './instances.service.js';
import { CalendarImportDto, ImportCalendarDto, toCalendarImportDto } from './dto/work-calendar.dto.js';
import { WorkCalendarService } from './work-calendar.service.js';

@ApiTags('workflows')
@Controller()
export class WorkflowController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly instances: InstancesService,
    private readonly control: InstanceControlService,
    private readonly workCalendar: WorkCalendarService,
  ) {}

  @Get('workflows')
  @Requires('Deployed processes and their versions', [])
  @ApiPage(ProcessDto)
  async list(@Query() q: PageQuery): Promise<Page<ProcessDto>> {
    return mapPage(await this.definitions.list(q), toProcessDto);
  }

  @Post('workflow-instances')
  @Requires(
    'Start a case of a process registered as administratively startable (probes, tests); domain flows start only from their own actions',
    [Permission.WORKFLOW_ADMIN],
    ['PROCESS_NOT_FOUND', 'PROCESS_NOT_STARTABLE'],
  )
  @ApiCreatedResponse({ type: InstanceDto })
  async start(@Body() dto: StartInstanceDto, @CurrentActor() a: Actor): Promise<InstanceDto> {
    return toInstanceDto(await this.instances.startByAdmin(a, dto));
  }

  @Get('workflow-instances/:id')
  @Requires('A case: status, variables, tasks', [], ['INSTANCE_NOT_FOUND'])
  @ApiOkResponse({ type: InstanceDto })
  async get(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<InstanceDto> {
    return toInstanceDto(await this.instances.get(a.principal!, id));
  }

  @Get('workflow-instances/:id/history')
  @Requires('The case timeline: who, what, when, from which step, comment', [], ['INSTANCE_NOT_FOUND'])
  @ApiPage(HistoryEntryDto)
  async history(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @Query() q: PageQuery,
    @CurrentActor() a: Actor,
  ): Promise<Page<HistoryEntryDto>> {
    return mapPage(await this.instances.history(a.principal!, id, q), toHistoryEntryDto);
  }

  @Get('workflow-instances/:id/diagram')
  @Requires(
    'BPMN XML of the case’s version with each activity’s state (completed, active, overdue)',
    [],
    ['INSTANCE_NOT_FOUND'],
  )
  @ApiOkResponse({ type: DiagramDto })
  async diagram(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<DiagramDto> {
    return toDiagramDto(await this.instances.diagram(a.principal!, id));
  }

  @Post('workflow-instances/:id/suspend')
  @HttpCode(200)
  @Requires(
    '挂起: suspend a case; time limits pause',
    [Permission.WORKFLOW_OVERSEE],
    ['INSTANCE_NOT_FOUND', 'INSTANCE_NOT_ACTIVE', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: InstanceDto })
  async suspend(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @Body() dto: CommentDto,
    @CurrentActor() a: Actor,
  ): Promise<InstanceDto> {
    return toInstanceDto(await this.control.suspend(a, id, dto.comment));
  }

  @Post('workflow-instances/:id/resume')
  @HttpCode(200)
  @Requires(
    '恢复: resume a suspended case',
    [Permission.WORKFLOW_OVERSEE],
    ['INSTANCE_NOT_FOUND', 'INSTANCE_NOT_ACTIVE', 'CONCURRENT_UPDATE'],
  )
  @ApiOkResponse({ type: InstanceDto })
  async resume(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @Body() dto: CommentDto,
    @CurrentActor() a: Actor,
  ): Promise<InstanceDto> {
    return toInstanceDto(await this.control.resume(a, id, dto.comment));
  }

  @Post('workflow-instances/:id/terminate')
  @HttpCode(200)
  @Requires(
    '终止: end a case by the office (not one whose admitted item it times: an exit ends that)',
    [Permission.WORKFLOW_OVERSEE],
    ['INSTANCE_NOT_FOUND', 'INSTANCE_NOT_ACTIVE', 'CONCURRENT_UPDATE', 'CASE_NOT_TERMINABLE'],
  )
  @ApiOkResponse({ type: InstanceDto })
  async terminate(
    @Param('id', uuidOr404('INSTANCE_NOT_FOUND')) id: string,
    @Body() dto: CommentDto,
    @CurrentActor() a: Actor,
  ): Promise<InstanceDto> {
    return toInstanceDto(await this.control.terminate(a, id, dto.comment));
  }

  @Get('workflow-incidents')
  @Requires('Open incidents (failed service tasks) of the cases I oversee', [Permission.WORKFLOW_OVERSEE])
  @ApiPage(IncidentDto)
  async incidents(@Query() q: PageQuery, @CurrentActor() a: Actor): Promise<Page<IncidentDto>> {
    return mapPage(await this.instances.incidents(a.principal!, q), toIncidentDto);
  }

  @Post('workflow-incidents/:id/retry')
  @HttpCode(200)
  @Requires('Run a failed service task again', [Permission.WORKFLOW_OVERSEE], ['INCIDENT_NOT_FOUND'])
  @ApiOkResponse({ type: RetryResultDto })
  async retry(
    @Param('id', uuidOr404('INCIDENT_NOT_FOUND')) id: string,
    @CurrentActor() a: Actor,
  ): Promise<RetryResultDto> {
    return toRetryResultDto(await this.control.retry(a, id));
  }

  @Get('work-calendar')
  @Requires('Holidays and 调休 working days that step limits count with', [])
  @ApiPage(CalendarDayInfoDto)
  async calendar(@Query() q: CalendarQuery): Promise<Page<CalendarDayInfoDto>> {
    return mapPage(await this.workCalendar.days(q.year, q), toCalendarDayInfoDto);
  }

  @Post('work-calendar/imports')
  @HttpCode(200)
  @Requires(
    'Import a work-calendar file (a year’s holiday notice as CSV: date,kind,name,source); every bad line is told at once, the same file again changes nothing',
    [Permission.WORKFLOW_ADMIN],
    ['CALENDAR_CSV_INVALID'],
  )
  @ApiOkResponse({ type: CalendarImportDto })
  async importCalendar(@Body() dto: ImportCalendarDto, @CurrentActor() a: Actor): Promise<CalendarImportDto> {
    return toCalendarImportDto(await this.workCalendar.importCsv(a, dto.fileName, dto.csv));
  }

  @Put('work-calendar/:day')
  @Requires('Mark a day as a holiday or a 调休 working day', [Permission.WORKFLOW_ADMIN])
  @ApiOkResponse({ type: CalendarDayInfoDto })
  async setDay(
    @Param('day') day: string,
    @Body() dto: CalendarDayDto,
    @CurrentActor() a: Actor,
  ): Promise<CalendarDayInfoDto> {
    if (!isCalendarDay(day)) {
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'day',
          problems: ['须为实际存在的日期，格式 YYYY-MM-DD。The day must be a real date written YYYY-MM-DD.'],
        },
      ]);
    }
    return toCalendarDayInfoDto(await this.workCalendar.setDay(a, day, dto.workingDay, dto.note ?? null));
  }
}
