import { ApiProperty } from '@nestjs/swagger';

/** One row of the task inbox (待办): what a clerk needs to pick the next task, with its time left. */
export class TaskListItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The case (workflow instance) the task belongs to' })
  instanceId: string;
  @ApiProperty({ example: 'admission', description: 'The process of the case' }) processId: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The business object of the case (e.g. an application id)',
  })
  businessKey: string | null;
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
  @ApiProperty({ description: 'Past its time limit' }) overdue: boolean;
  @ApiProperty({ description: 'Overdue and escalated to my unit (督办)' }) escalated: boolean;
  @ApiProperty({ description: 'Its case is suspended (挂起): nothing can be done meanwhile' })
  suspended: boolean;
  @ApiProperty({ description: 'How often it was urged (催办)' }) urgedCount: number;
  @ApiProperty({
    nullable: true,
    description: 'For one member of a countersign (会签): the member it is for (e.g. a unit id)',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  loopItem: unknown;
}
