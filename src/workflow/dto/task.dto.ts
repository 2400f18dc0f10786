import { ApiProperty } from '@nestjs/swagger';
import { DUE_STATES } from '../task-about.js';

/** What a case is about, as its domain describes it (an application, an exiting item, a negative-list change). */
export class TaskSubjectDto {
  @ApiProperty({ example: '老年人健康服务入户随访', description: 'E.g. the application’s title' })
  title: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '东湖准字〔2026〕第3号',
    description: 'Its number once it has one (准入编号)',
  })
  number: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '东湖区卫生健康委员会',
    description: 'The unit it is from (the applicant department)',
  })
  unitName: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'task', description: 'Its kind, as a code' })
  kind: string | null;
  @ApiProperty({ type: String, nullable: true, example: '工作任务', description: 'Its kind, in Chinese' })
  kindName: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A line more where the domain has one (e.g. an exit’s community and reason)',
  })
  summary: string | null;
}

/** The words of a task: what it is about, who holds it, its time left (the inbox and one task). */
export class TaskAboutDto {
  @ApiProperty({ example: 'admission', description: 'The process of the case' }) processId: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '社区工作准入审批',
    description: 'The process’s name',
  })
  processName: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The business object of the case (e.g. an application id)',
  })
  businessKey: string | null;
  @ApiProperty({
    type: TaskSubjectDto,
    nullable: true,
    description: 'What the case is about; null when its domain does not describe it',
  })
  subject: TaskSubjectDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '李健（区卫健委负责人）',
    description: 'Who holds it',
  })
  assigneeName: string | null;
  @ApiProperty({
    example: '东湖区公安分局（成员单位代表）',
    description: 'Who may claim it: units with their role, or named people',
  })
  candidates: string;
  @ApiProperty({
    example: '待认领：东湖区公安分局（成员单位代表）',
    description: 'Who holds it: the holder’s name, or 待认领 with its candidates',
  })
  holder: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-09',
    description: 'The last day (China time) to act on it: its time limit ends at 24:00 of that day',
  })
  dueDay: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Working days left through its last day, today included when it is a working day (todayCounted), by the holiday calendar; 0 when overdue; null without a time limit or once closed',
  })
  workingDaysLeft: number | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'Whether today is a working day, and so one of workingDaysLeft (含今天); null when overdue, without a time limit or once closed',
  })
  todayCounted: boolean | null;
  @ApiProperty({
    enum: DUE_STATES,
    description:
      'none: no time limit; onTime; dueSoon: its last working day (or less) is left; overdue. A closed task: whether it was completed in time',
  })
  dueState: string;
  @ApiProperty({ description: 'Past its time limit' }) overdue: boolean;
}

/**
 * One row of the task inbox (待办): what a clerk needs to pick the next task — what it is about (the subject's
 * title, number, department, kind), the step, who holds it, its time left.
 */
export class TaskListItemDto extends TaskAboutDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The case (workflow instance) the task belongs to' })
  instanceId: string;
  @ApiProperty({ example: 'officeReview', description: 'The step (BPMN element) the task is for' })
  elementId: string;
  @ApiProperty({ type: String, nullable: true, example: '办公室审查' }) name: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The form the step takes, if any' })
  formKey: string | null;
  @ApiProperty({
    enum: ['step', 'added-signer'],
    description: 'A step of the flow, or a signature asked for by 加签',
  })
  kind: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Who holds it; null while claimable',
  })
  assigneeId: string | null;
  @ApiProperty({ description: 'Held by nobody and open to me: I may claim it (认领)' }) claimable: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Its time limit (办理时限)',
  })
  dueAt: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Milliseconds left until the time limit; negative when overdue',
  })
  timeLeftMs: number | null;
  @ApiProperty({ description: 'Overdue and escalated to my unit (督办)' }) escalated: boolean;
  @ApiProperty({ description: 'Its case is suspended (挂起): nothing can be done meanwhile' })
  suspended: boolean;
  @ApiProperty({ description: 'How often it was urged (催办)' }) urgedCount: number;
  @ApiProperty({
    description:
      'I may urge it (POST /tasks/:id/urge): its case’s starter, the unit it was escalated to, an overseer of its area',
  })
  mayUrge: boolean;
  @ApiProperty({
    nullable: true,
    description: 'For one member of a countersign (会签): the member it is for (e.g. a unit id)',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  loopItem: unknown;
}
