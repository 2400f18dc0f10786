/*
 * The response DTOs of the workflow routes (tasks, cases, incidents, history, hand-over) and their mappers from the
 * service's rows. Over 400 lines because the OpenAPI schema of every workflow answer is declared here, one class per
 * answer, beside the function that fills it: nothing else lives in this file.
 */
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import type { TaskAbout } from '../task-about.js';
import { TaskAboutDto, TaskSubjectDto } from './task.dto.js';
import type { InstanceWithTasks } from '../instances.service.js';
import type { CompleteResult } from '../task-completion.service.js';
import type { HandOverCandidate, UrgedTask } from '../task-handover.service.js';
import type { TaskDecision } from '../task-decisions.js';
import type { TaskActions } from '../task-inbox.service.js';
import type { WorkflowHistory } from '../workflow-history.entity.js';
import type { WorkflowIncident } from '../workflow-incident.entity.js';
import type { WorkflowTask } from '../workflow-task.entity.js';

/**
 * What the workflow routes answer (cases, timelines, incidents, the calendar, task operations). Each class is
 * exactly what goes on the wire; each `toXDto` copies the fields a client may see and nothing else.
 */

const ACTIVITY_STATES = ['completed', 'active', 'overdue'];

export class ProcessVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty() fileName: string;
  @ApiProperty({ description: 'ISO 8601' }) deployedAt: string;
}

export class ProcessDto {
  @ApiProperty({ example: 'admission' }) processId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ type: [ProcessVersionDto], description: 'Newest first' }) versions: ProcessVersionDto[];
}

export function toProcessDto(p: ProcessDto): ProcessDto {
  return {
    processId: p.processId,
    name: p.name,
    versions: p.versions.map((v) => ({
      id: v.id,
      version: v.version,
      fileName: v.fileName,
      deployedAt: v.deployedAt,
    })),
  };
}

export class InstanceTaskDto {
  @ApiProperty() id: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] }) status: string;
  @ApiProperty({ enum: ['step', 'added-signer'] }) kind: string;
  @ApiProperty({ nullable: true, type: String }) assigneeId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who holds (or held) it' })
  assigneeName: string | null;
  @ApiProperty({ nullable: true, type: String }) decision: string | null;
  @ApiProperty({ nullable: true, type: Date }) dueAt: Date | string | null;
  @ApiProperty({ nullable: true, type: Date }) overdueAt: Date | string | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | string | null;
  @ApiProperty({
    nullable: true,
    description:
      'For one member of a countersign (会签) or another multi-instance step: the item it is for (e.g. a member unit id)',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  loopItem: unknown;
}

/**
 * A case: its status, what it is about, the variables its process declares public and its tasks. The engine's
 * state (its exchange, routing keys, message properties, execution ids) never leaves the service.
 */
export class InstanceDto {
  @ApiProperty() id: string;
  @ApiProperty() processId: string;
  @ApiProperty({ type: String, nullable: true, example: '社区工作准入审批' }) processName: string | null;
  @ApiProperty() definitionVersion: number;
  @ApiProperty({ nullable: true, type: String }) businessKey: string | null;
  @ApiProperty({
    type: TaskSubjectDto,
    nullable: true,
    description: 'What the case is about; null when its domain does not describe it',
  })
  subject: TaskSubjectDto | null;
  @ApiProperty({ enum: ['active', 'suspended', 'completed', 'terminated'] }) status: string;
  @ApiProperty() startedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) endedAt: Date | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The case variables its process declares public (workflows/README.md), e.g. applicationId, findings, decisions, countersign; empty when it declares none',
  })
  variables: Record<string, unknown>;
  @ApiProperty() version: number;
  @ApiProperty({ type: [InstanceTaskDto], description: 'Every task of the case, oldest first' })
  tasks: InstanceTaskDto[];
}

export function toInstanceDto(c: InstanceWithTasks): InstanceDto {
  const i = c.instance;
  return {
    id: i.id,
    processId: i.processId,
    processName: c.processName,
    definitionVersion: c.definitionVersion,
    businessKey: i.businessKey,
    subject: c.subject && toTaskSubjectDto(c.subject),
    status: i.status,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
    variables: { ...c.variables },
    version: i.version,
    tasks: c.tasks.map((t) => ({
      id: t.id,
      elementId: t.elementId,
      name: t.name,
      status: t.status,
      kind: t.kind,
      assigneeId: t.assigneeId,
      assigneeName: t.assigneeName,
      decision: t.decision,
      dueAt: t.dueAt,
      overdueAt: t.overdueAt,
      completedAt: t.completedAt,
      loopItem: t.loopItem ?? null,
    })),
  };
}

export class HistoryEntryDto {
  @ApiProperty({ description: 'Sequence number (a bigint as a string)' }) seq: string;
  @ApiProperty() instanceId: string;
  @ApiProperty({ nullable: true, type: String }) taskId: string | null;
  @ApiProperty({ nullable: true, type: String }) elementId: string | null;
  @ApiProperty({ example: 'task.completed' }) action: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ nullable: true, type: String }) actorUsername: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The actor as people know them: name (unit); null for the service itself',
    example: '王民（东湖区社区建设工作领导小组办公室）',
  })
  actorName: string | null;
  @ApiProperty() at: Date;
  @ApiProperty({ nullable: true, type: String }) comment: string | null;
  @ApiProperty({ nullable: true, type: Object }) data: Record<string, unknown> | null;
}

export function toHistoryEntryDto(h: WorkflowHistory & { actorName?: string | null }): HistoryEntryDto {
  return {
    seq: h.seq,
    instanceId: h.instanceId,
    taskId: h.taskId,
    elementId: h.elementId,
    action: h.action,
    actorId: h.actorId,
    actorUsername: h.actorUsername,
    actorName: h.actorName ?? null,
    at: h.at,
    comment: h.comment,
    data: h.data,
  };
}

export class DiagramDto {
  @ApiProperty({ description: 'BPMN XML of the case’s version' }) xml: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: ACTIVITY_STATES },
    description: 'Activity id → completed, active or overdue',
  })
  activities: Record<string, string>;
}

export function toDiagramDto(d: DiagramDto): DiagramDto {
  return { xml: d.xml, activities: d.activities };
}

export class IncidentDto {
  @ApiProperty() id: string;
  @ApiProperty() instanceId: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ description: 'The service topic, or the timer kind' }) topic: string;
  @ApiProperty({ nullable: true, type: String }) timerId: string | null;
  @ApiProperty() message: string;
  @ApiProperty() attempts: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) resolvedAt: Date | null;
}

export function toIncidentDto(i: WorkflowIncident): IncidentDto {
  return {
    id: i.id,
    instanceId: i.instanceId,
    elementId: i.elementId,
    topic: i.topic,
    timerId: i.timerId,
    message: i.message,
    attempts: i.attempts,
    createdAt: i.createdAt,
    resolvedAt: i.resolvedAt,
  };
}

export class RetryResultDto {
  @ApiProperty({ description: 'Whether it worked this time' }) resolved: boolean;
  @ApiPropertyOptional({ description: 'Why not' }) message?: string;
}

export function toRetryResultDto(r: RetryResultDto): RetryResultDto {
  return r.message === undefined ? { resolved: r.resolved } : { resolved: r.resolved, message: r.message };
}

export class CalendarDayInfoDto {
  @ApiProperty({ example: '2027-10-08' }) day: string;
  @ApiProperty({ description: 'false: a holiday; true: a 调休 working day' }) workingDay: boolean;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
}

export function toCalendarDayInfoDto(d: CalendarDayInfoDto): CalendarDayInfoDto {
  return { day: d.day, workingDay: d.workingDay, note: d.note };
}

/**
 * A task as its operations answer it. The engine's execution id, the resolved candidate lists and the row version
 * stay inside: no operation takes them.
 */
export class TaskInfoDto {
  @ApiProperty() id: string;
  @ApiProperty() instanceId: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) formKey: string | null;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] }) status: string;
  @ApiProperty({ enum: ['step', 'added-signer'] }) kind: string;
  @ApiProperty({ nullable: true, type: String, description: 'The step an added signer signs for' })
  parentTaskId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The candidate groups the process names' })
  candidateGroups: string | null;
  @ApiProperty({ nullable: true, type: String }) assigneeId: string | null;
  @ApiProperty({ type: [String], description: 'Units an overdue step went to' }) escalatedToUnitIds: string[];
  @ApiProperty({ nullable: true, type: String }) delegatedFromId: string | null;
  @ApiProperty({ nullable: true, type: Date }) delegatedUntil: Date | string | null;
  @ApiProperty({ nullable: true, type: Number }) loopIndex: number | null;
  @ApiProperty({ nullable: true, type: Object, description: 'The item of a multi-instance step' })
  loopItem: unknown;
  @ApiProperty() createdAt: Date | string;
  @ApiProperty({ nullable: true, type: Date }) dueAt: Date | string | null;
  @ApiProperty({ nullable: true, type: Date }) overdueAt: Date | string | null;
  @ApiProperty({ nullable: true, type: Number }) limitWorkingDays: number | null;
  @ApiProperty({ nullable: true, type: Date }) claimedAt: Date | string | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | string | null;
  @ApiProperty({ nullable: true, type: String }) completedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) decision: string | null;
  @ApiProperty({ nullable: true, type: Object }) formData: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) comment: string | null;
  @ApiProperty() urgedCount: number;
  @ApiProperty({ nullable: true, type: Date }) lastUrgedAt: Date | string | null;
}

export function toTaskInfoDto(t: WorkflowTask): TaskInfoDto {
  return {
    id: t.id,
    instanceId: t.instanceId,
    elementId: t.elementId,
    name: t.name,
    formKey: t.formKey,
    status: t.status,
    kind: t.kind,
    parentTaskId: t.parentTaskId,
    candidateGroups: t.candidateGroups,
    assigneeId: t.assigneeId,
    escalatedToUnitIds: t.escalatedToUnitIds,
    delegatedFromId: t.delegatedFromId,
    delegatedUntil: t.delegatedUntil,
    loopIndex: t.loopIndex,
    loopItem: t.loopItem,
    createdAt: t.createdAt,
    dueAt: t.dueAt,
    overdueAt: t.overdueAt,
    limitWorkingDays: t.limitWorkingDays,
    claimedAt: t.claimedAt,
    completedAt: t.completedAt,
    completedBy: t.completedBy,
    decision: t.decision,
    formData: t.formData,
    comment: t.comment,
    urgedCount: t.urgedCount,
    lastUrgedAt: t.lastUrgedAt,
  };
}

/** A decision the task may end with (POST /tasks/:id/complete `decision`), from the server's form definitions. */
export class TaskDecisionDto {
  @ApiProperty({ example: 'approve', description: 'What to send as `decision`' }) code: string;
  @ApiProperty({ example: '同意', description: 'Its name in Chinese, for the button' }) label: string;
  @ApiProperty({ description: 'A comment (the reason) must come with it' }) commentRequired: boolean;
  @ApiProperty({
    description:
      'Every deficiency must be listed with it (退回, 一次告知: form.deficiencies or POST …/return)',
  })
  deficienciesRequired: boolean;
}

/** What the caller may do with the task now, each by the rule its route checks (a route may still refuse). */
export class TaskActionsDto {
  @ApiProperty({ description: '认领: POST /tasks/:id/claim' }) claim: boolean;
  @ApiProperty({ description: '办理: POST /tasks/:id/complete with one of `decisions`' }) decide: boolean;
  @ApiProperty({ description: '转办: POST /tasks/:id/reassign (its holder, or the office of its level)' })
  reassign: boolean;
  @ApiProperty({ description: '委托: POST /tasks/:id/delegate' }) delegate: boolean;
  @ApiProperty({ description: '加签: POST /tasks/:id/signers' }) addSigners: boolean;
  @ApiProperty({
    description:
      '撤回: POST /tasks/:id/withdraw — its completer; refused once the next step has been acted on',
  })
  withdraw: boolean;
  @ApiProperty({ description: '催办: POST /tasks/:id/urge' }) urge: boolean;
}

/** One task: itself, what it is about (as in the inbox), its timeline, its decisions and what I may do. */
export class TaskDetailDto extends IntersectionType(TaskInfoDto, TaskAboutDto) {
  @ApiProperty({ type: [HistoryEntryDto], description: 'The task’s timeline, oldest first' })
  history: HistoryEntryDto[];
  @ApiProperty({
    type: [TaskDecisionDto],
    description:
      'The decisions its form allows, the first being the default (an added signature: 同意 or 不同意)',
  })
  decisions: TaskDecisionDto[];
  @ApiProperty({ type: TaskActionsDto }) actions: TaskActionsDto;
  @ApiProperty({ description: 'Held by nobody, open, and open to me: I may claim it (认领)' })
  claimable: boolean;
  @ApiProperty({ description: 'Its case is suspended (挂起): nothing can be done meanwhile' })
  suspended: boolean;
}

export function toTaskAboutDto(a: TaskAbout): TaskAboutDto {
  return {
    processId: a.processId,
    processName: a.processName,
    businessKey: a.businessKey,
    subject: a.subject && toTaskSubjectDto(a.subject),
    assigneeName: a.assigneeName,
    candidates: a.candidates,
    holder: a.holder,
    dueDay: a.dueDay,
    workingDaysLeft: a.workingDaysLeft,
    todayCounted: a.todayCounted,
    dueState: a.dueState,
    overdue: a.overdue,
  };
}

export function toTaskSubjectDto(s: TaskSubjectDto): TaskSubjectDto {
  return {
    title: s.title,
    number: s.number,
    unitName: s.unitName,
    kind: s.kind,
    kindName: s.kindName,
    summary: s.summary,
  };
}

export function toTaskDetailDto(
  t: WorkflowTask & {
    history: WorkflowHistory[];
    about: TaskAbout;
    decisions: TaskDecision[];
    actions: TaskActions;
    claimable: boolean;
    suspended: boolean;
  },
): TaskDetailDto {
  const a = t.actions;
  return {
    ...toTaskInfoDto(t),
    ...toTaskAboutDto(t.about),
    history: t.history.map(toHistoryEntryDto),
    decisions: t.decisions.map((d) => ({
      code: d.code,
      label: d.label,
      commentRequired: d.commentRequired,
      deficienciesRequired: d.deficienciesRequired,
    })),
    actions: {
      claim: a.claim,
      decide: a.decide,
      reassign: a.reassign,
      delegate: a.delegate,
      addSigners: a.addSigners,
      withdraw: a.withdraw,
      urge: a.urge,
    },
    claimable: t.claimable,
    suspended: t.suspended,
  };
}

/** Someone a task may be handed to (转办, 委托, 加签), as the organization is now. */
export class HandOverCandidateDto {
  @ApiProperty({ format: 'uuid', description: 'What to send as toUserId / userIds' }) id: string;
  @ApiProperty({ example: 'office-2' }) username: string;
  @ApiProperty({ example: '王民' }) displayName: string;
  @ApiProperty({ format: 'uuid' }) unitId: string;
  @ApiProperty({ example: '东湖区社区建设工作领导小组办公室' }) unitName: string;
}

export function toHandOverCandidateDto(c: HandOverCandidate): HandOverCandidateDto {
  return {
    id: c.id,
    username: c.username,
    displayName: c.displayName,
    unitId: c.unitId,
    unitName: c.unitName,
  };
}

export class OpenTaskRefDto {
  @ApiProperty() id: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
}

export class CompleteResultDto {
  @ApiProperty() instanceId: string;
  @ApiProperty({ description: 'The case’s status after the step' }) status: string;
  @ApiProperty({ type: [OpenTaskRefDto], description: 'The case’s open tasks after the step' })
  openTasks: OpenTaskRefDto[];
}

export function toCompleteResultDto(r: CompleteResult): CompleteResultDto {
  return {
    instanceId: r.instanceId,
    status: r.status,
    openTasks: r.openTasks.map((t) => ({ id: t.id, elementId: t.elementId, name: t.name })),
  };
}

/** 催办: what an urge answers — no form data or comment of the task. */
export class UrgedTaskDto {
  @ApiProperty() id: string;
  @ApiProperty() instanceId: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String }) assigneeId: string | null;
  @ApiProperty({ nullable: true, type: String }) dueAt: string | null;
  @ApiProperty() urgedCount: number;
  @ApiProperty() lastUrgedAt: string;
}

export function toUrgedTaskDto(u: UrgedTask): UrgedTaskDto {
  return {
    id: u.id,
    instanceId: u.instanceId,
    elementId: u.elementId,
    name: u.name,
    status: u.status,
    assigneeId: u.assigneeId,
    dueAt: u.dueAt,
    urgedCount: u.urgedCount,
    lastUrgedAt: u.lastUrgedAt,
  };
}
