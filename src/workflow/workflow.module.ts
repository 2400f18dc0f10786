import {
  Global,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DefinitionsService } from './definitions.service.js';
import { InstanceControlService } from './instance-control.service.js';
import { InstancesService } from './instances.service.js';
import { AfterCommit } from './runtime/after-commit.js';
import { EngineCache } from './runtime/engine-cache.js';
import { ServiceRunner } from './runtime/service-runner.js';
import { StepRepository } from './runtime/step.repository.js';
import { TaskCreation } from './runtime/task-creation.js';
import { RuntimeTimers } from './runtime/timers.js';
import { WorkflowRuntime } from './runtime.service.js';
import { TasksController } from './tasks.controller.js';
import { TaskHolders } from './task-holders.service.js';
import { TaskCompletion } from './task-completion.service.js';
import { TaskHandover } from './task-handover.service.js';
import { TaskInbox } from './task-inbox.service.js';
import { TimerQueue } from './timer-queue.js';
import { WorkCalendarService } from './work-calendar.service.js';
import { WorkflowController } from './workflow.controller.js';
import { WorkflowRegistry } from './workflow.registry.js';

/**
 * The BPMN runtime. Domain modules import it and register their groups, services and forms with
 * WorkflowRegistry in onModuleInit; at application bootstrap the workflows are deployed and timers start (the
 * job queue's fetching and the sweep for lost timers).
 */
@Global()
@Module({
  providers: [
    WorkflowRegistry,
    Clock,
    DefinitionsService,
    StepRepository,
    EngineCache,
    AfterCommit,
    ServiceRunner,
    TaskCreation,
    RuntimeTimers,
    WorkflowRuntime,
    TaskInbox,
    TaskCompletion,
    TaskHandover,
    TaskHolders,
    InstancesService,
    InstanceControlService,
    TimerQueue,
    WorkCalendarService,
  ],
  controllers: [WorkflowController, TasksController],
  exports: [
    WorkflowRegistry,
    WorkflowRuntime,
    Clock,
    TaskInbox,
    TaskCompletion,
    TaskHandover,
    TaskHolders,
    InstancesService,
  ],
})
export class WorkflowModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkflowModule');

  constructor(
    private readonly definitions: DefinitionsService,
    private readonly timers: TimerQueue,
    private readonly runtime: WorkflowRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const deployed = await this.definitions.deployAll();
    this.logger.log(`${deployed.length} workflow definition(s) in force`);
    await this.timers.start({
      fire: (timerId) => this.runtime.fireTimer(timerId),
      exhausted: (timerId, error) => this.runtime.timerFailed(timerId, error),
      sweep: () => this.runtime.sweepTimers(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timers.stop();
  }
}
