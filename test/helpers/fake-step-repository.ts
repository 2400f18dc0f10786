import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../../src/audit/audit.service.js';
import type { LiveEngine } from '../../src/workflow/bpmn.js';
import type {
  HistoryRow,
  InstanceRow,
  NewTaskRow,
  TaskCompletion,
} from '../../src/workflow/runtime/step-records.js';
import type {
  NewIncident,
  StepRepository,
  StepWrite,
  StepWritten,
  TimerInsert,
} from '../../src/workflow/runtime/step.repository.js';
import type { WorkflowTimer } from '../../src/workflow/workflow-timer.entity.js';

/** The manager a fake step runs with: the fake repository never uses it. */
export const FAKE_MANAGER = {} as EntityManager;

/**
 * StepRepository in memory, for unit specs of the runtime's parts: it answers from the rows it is given and
 * records every write, in order, as `[method, ...arguments]`.
 */
export class FakeStepRepository {
  readonly writes: [string, ...unknown[]][] = [];
  rows = new Map<string, InstanceRow>();
  timers = new Map<string, WorkflowTimer>();
  incidents: (NewIncident & { id: string; attempts: number; resolved: boolean })[] = [];
  /** What the next state writes answer (then a write at the version read succeeds with no rows). */
  written: Partial<StepWritten>[] = [];
  obstacles = { openSigners: 0, open: true, candidate: true };
  completes = true;
  sweepLocked = true;
  lost: string[] = [];
  calendar: { day: string; working_day: boolean }[] = [];
  calendarReads = 0;
  private ids = 0;

  /** Typed as the real repository for the parts' constructors. */
  get asRepository(): StepRepository {
    return this as unknown as StepRepository;
  }

  /** The names of the writes, in order. */
  get writeNames(): string[] {
    return this.writes.map((w) => w[0]);
  }

  /** Runs `work`; if it throws, the timers' claims roll back with it (the other writes stay recorded). */
  async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    const claims = new Map([...this.timers].map(([id, t]) => [id, t.firedAt]));
    try {
      return await work(FAKE_MANAGER);
    } catch (e) {
      for (const [id, firedAt] of claims) this.timers.get(id)!.firedAt = firedAt;
      throw e;
    }
  }
  async insertInstance(
    _m: EntityManager,
    i: Omit<InstanceRow, 'id' | 'status' | 'version'>,
  ): Promise<string> {
    const id = `case-${++this.ids}`;
    this.rows.set(id, { id, ...i, status: 'active', version: 0 });
    this.writes.push(['insertInstance', id]);
    return id;
  }
  async loadRow(instanceId: string): Promise<InstanceRow | undefined> {
    const row = this.rows.get(instanceId);
    return row && { ...row };
  }
  async loadState(): Promise<object> {
    return {};
  }
  async writeStep(_m: EntityManager, w: StepWrite): Promise<StepWritten> {
    this.writes.push(['writeStep', w]);
    for (const i of this.incidents)
      if (i.instanceId === w.instance.id && w.resolvedElements.includes(i.elementId)) i.resolved = true;
    const answer = this.written.shift() ?? {};
    return {
      version: w.instance.version + 1,
      completed: w.completion ? 1 : 0,
      tasks: [],
      timers: [],
      ...answer,
    };
  }
  async completeTask(_m: EntityManager, c: TaskCompletion) {
    this.writes.push(['completeTask', c.taskId]);
    return { completed: this.completes, siblings: [] };
  }
  async completionObstacles() {
    return this.obstacles;
  }
  async reopenTask(_m: EntityManager, taskId: string): Promise<void> {
    this.writes.push(['reopenTask', taskId]);
  }
  async cancelTask(_m: EntityManager, taskId: string): Promise<void> {
    this.writes.push(['cancelTask', taskId]);
  }
  async insertRows(
    _m: EntityManager,
    tasks: NewTaskRow[],
    history: HistoryRow[],
    audit: { entry: AuditEntry } | null,
    timers: TimerInsert[] = [],
  ): Promise<void> {
    this.writes.push([
      'insertRows',
      tasks,
      history,
      audit?.entry ?? null,
      timers.map((t) => [t.timer.kind, t.timer.elementId, t.job.jobId]),
    ]);
    for (const t of timers) this.keepTimer(t);
  }
  async workCalendar() {
    this.calendarReads++;
    return this.calendar;
  }
  async savepoint(_m: EntityManager, action: string): Promise<void> {
    this.writes.push([action]);
  }
  async resolveIncidents(_m: EntityManager, instanceId: string, elementId: string): Promise<void> {
    this.writes.push(['resolveIncidents', elementId]);
    for (const i of this.incidents)
      if (i.instanceId === instanceId && i.elementId === elementId) i.resolved = true;
  }
  async openIncident(_m: EntityManager, of: { instanceId: string; elementId: string } | { timerId: string }) {
    return this.incidents.find(
      (i) =>
        !i.resolved &&
        ('timerId' in of
          ? i.timerId === of.timerId
          : i.instanceId === of.instanceId && i.elementId === of.elementId),
    );
  }
  async incidentAgain(_m: EntityManager, id: string, message: string): Promise<void> {
    this.writes.push(['incidentAgain', id]);
    const i = this.incidents.find((x) => x.id === id)!;
    i.attempts++;
    i.message = message;
  }
  async insertIncident(_m: EntityManager, i: NewIncident): Promise<void> {
    this.writes.push(['insertIncident', i.elementId]);
    this.incidents.push({ ...i, id: `incident-${++this.ids}`, attempts: 1, resolved: false });
  }
  async findTimer(timerId: string): Promise<WorkflowTimer | null> {
    return this.timers.get(timerId) ?? null;
  }
  async insertTimerWithJob(_m: EntityManager, t: TimerInsert) {
    this.writes.push(['insertTimerWithJob', t.timer.kind, t.timer.elementId, t.job.jobId]);
    this.keepTimer(t);
  }
  private keepTimer({ id, timer, job }: TimerInsert): void {
    this.timers.set(id, {
      ...timer,
      id,
      createdAt: new Date(0),
      firedAt: null,
      cancelledAt: null,
      jobId: job.jobId,
    });
  }
  async setTimerJob(_m: EntityManager, timerId: string, jobId: string): Promise<void> {
    this.writes.push(['setTimerJob', timerId, jobId]);
  }
  async cancelTimers(_m: EntityManager, timerIds: string[]): Promise<void> {
    this.writes.push(['cancelTimers', [...timerIds].sort()]);
  }
  async claimTimer(_m: EntityManager, timerId: string, now: Date): Promise<boolean> {
    this.writes.push(['claimTimer', timerId]);
    const t = this.timers.get(timerId);
    if (!t || t.firedAt || t.cancelledAt) return false;
    t.firedAt = now;
    return true;
  }
  async lockSweep(): Promise<boolean> {
    return this.sweepLocked;
  }
  async lostTimers(): Promise<string[]> {
    return this.lost;
  }
  /** As the SQL: due by `now`, neither fired nor cancelled, not an open incident, a BPMN timer's case active. */
  async dueTimers(now: Date): Promise<string[]> {
    return [...this.timers.values()]
      .filter(
        (t) =>
          t.fireAt.getTime() <= now.getTime() &&
          !t.firedAt &&
          !t.cancelledAt &&
          !this.incidents.some((i) => i.timerId === t.id && !i.resolved) &&
          (t.kind !== 'bpmn' || this.rows.get(t.instanceId)?.status === 'active'),
      )
      .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || a.id.localeCompare(b.id))
      .map((t) => t.id);
  }
  async insertHistory(_m: EntityManager, row: { action: string }): Promise<void> {
    this.writes.push(['insertHistory', row.action]);
  }
}

/** A stand-in for a live engine: waits, held timers and service calls as a spec sets them. */
export function fakeLive(
  over: Partial<Record<keyof LiveEngine, unknown>> = {},
): LiveEngine & { stopped: boolean } {
  const live = {
    waits: new Map(),
    pendingServices: [],
    trail: [],
    ended: false,
    failed: null,
    stopped: false,
    state: async () => ({}),
    variables: () => ({}),
    heldTimers: () => [],
    stop() {
      live.stopped = true;
    },
    ...over,
  };
  return live as unknown as LiveEngine & { stopped: boolean };
}
