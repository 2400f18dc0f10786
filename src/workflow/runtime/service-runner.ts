import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor.js';
import type { LiveEngine } from '../bpmn.js';
import { WorkflowRegistry } from '../workflow.registry.js';
import { infoOf, type HistoryEntry, type InstanceRow } from './step-records.js';
import { StepRepository } from './step.repository.js';

/** Service calls of one step at most: more means the flow loops. */
const MAX_SERVICE_CALLS = 1000;

/** What running a step's service calls did. */
export interface ServicesRun {
  /** service.completed and incident.opened entries, in the order of the calls. */
  history: HistoryEntry[];
  /** Whether a handler ran. */
  ran: boolean;
  /**
   * Elements whose handler succeeded: their open incidents are resolved by the step's state write (one
   * statement less per call), unless the same element failed again later in the step (then at once).
   */
  resolved: string[];
  /**
   * Whether a call failed: the engine keeps its service task waiting, so it must not be cached; the next
   * step recovers it from the database, and resuming runs the service again (the retry).
   */
  failed: boolean;
}

/**
 * Runs the service tasks (registered handlers) a step reached, each inside a savepoint of the step's
 * transaction (not released after a success: the commit ends it, one statement less per call; a later call's
 * savepoint of the same name is the one its rollback returns to): a handler that fails leaves nothing behind and opens an incident (or counts another attempt
 * of the open one) that the office sees and retries; one that succeeds resolves its element's incident
 * (with the step's state write: ServicesRun.resolved).
 */
@Injectable()
export class ServiceRunner {
  private readonly logger = new Logger('WorkflowRuntime');

  constructor(
    private readonly repository: StepRepository,
    private readonly registry: WorkflowRegistry,
  ) {}

  async run(step: {
    manager: EntityManager;
    live: LiveEngine;
    instance: InstanceRow;
    actor: Actor;
    now: Date;
  }): Promise<ServicesRun> {
    const { manager: m, live, instance, now } = step;
    const out: ServicesRun = { history: [], ran: false, failed: false, resolved: [] };
    let calls = 0;
    while (live.pendingServices.length) {
      if (++calls > MAX_SERVICE_CALLS) throw new Error('service tasks keep coming: is the flow looping?');
      const call = live.pendingServices.shift()!;
      const handler = this.registry.service(call.topic);
      out.ran = true;
      await this.repository.savepoint(m, 'SAVEPOINT');
      try {
        if (!handler) throw new Error(`no handler for topic ${call.topic}`);
        const output = await handler({
          manager: m,
          instance: infoOf(instance),
          elementId: call.elementId,
          variables: live.variables(),
          actor: step.actor,
        });
        if (!out.resolved.includes(call.elementId)) out.resolved.push(call.elementId);
        out.history.push({
          action: 'service.completed',
          elementId: call.elementId,
          data: { topic: call.topic },
        });
        call.callback(null, output ?? {});
      } catch (e) {
        await this.repository.savepoint(m, 'ROLLBACK TO SAVEPOINT');
        // It succeeded earlier in this step: its incident is resolved now, as it was then, before this one opens.
        if (out.resolved.includes(call.elementId)) {
          out.resolved.splice(out.resolved.indexOf(call.elementId), 1);
          await this.repository.resolveIncidents(m, instance.id, call.elementId, now);
        }
        const message = e instanceof Error ? e.message : String(e);
        this.logger.warn(
          { instanceId: instance.id, elementId: call.elementId, err: message },
          'service task failed: incident opened',
        );
        const open = await this.repository.openIncident(m, {
          instanceId: instance.id,
          elementId: call.elementId,
        });
        if (open) await this.repository.incidentAgain(m, open.id, message);
        else
          await this.repository.insertIncident(m, {
            instanceId: instance.id,
            elementId: call.elementId,
            topic: call.topic,
            message,
            createdAt: now,
          });
        out.history.push({
          action: 'incident.opened',
          elementId: call.elementId,
          data: { topic: call.topic, message },
        });
        out.failed = true;
      }
    }
    return out;
  }
}
