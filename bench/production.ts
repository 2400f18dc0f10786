/*
 * The production flow for the benchmark: `workflows/admission.bpmn` from submission to publication, over
 * HTTP as the users do it and on bare live engines in memory.
 *
 * A step is one persisted workflow step, which is one user action that moves the case: the department
 * clerk's submission (starts the case and runs it to the department head's task) and each of the seven
 * approvals of `test/fixtures/application.ts` (department head, office completeness review, automatic
 * checks run as a service task inside it, office scope review, three member units' countersigns, the
 * leader's signature, whose step runs the numbering and publication service and sets the funding timer):
 * eight steps per application. The engine reference counts the same eight: start, then seven signals,
 * service tasks answered at once, the engine's state taken after each (what a persisted step stores).
 */
import { readFileSync } from 'node:fs';
import { LiveEngine, serializeSource } from '../src/workflow/bpmn.js';
import { APPROVALS, makeApplication } from '../test/fixtures/application.js';
import type { BenchHttp } from './http-client.js';

export const PRODUCTION_XML = readFileSync('workflows/admission.bpmn', 'utf8');
export const STEPS_PER_APPLICATION = 1 + APPROVALS.length;
/** The demo users who act in the flow: the clerk who submits, then the approvers. */
export const ACTORS = ['dept-staff', ...new Set(APPROVALS.map(([user]) => user))];
/** Where a measured run's clients find their tasks: the inbox, as large a page as a client may ask for. */
const INBOX = '/tasks?page=1&pageSize=200';

const DAY_MS = 86_400_000;

/**
 * The n-th application: the fixture's body with its own title and its own week (2027-06-01 + n weeks), so
 * that applications do not overlap each other's periods and the duplicate check (items of the same kind and
 * area over overlapping periods and communities) stays as small as for one department's real applications.
 */
export function applicationBody(communityIds: string[], n: number): Record<string, unknown> {
  const start = Date.UTC(2027, 5, 1) + 7 * n * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return makeApplication(communityIds, {
    title: `社区慢病随访（第${n + 1}批）`,
    startDate: iso(start),
    endDate: iso(start + 6 * DAY_MS),
  });
}

/** Drafts `count` applications as the clerk (not measured: the flow starts at submission); answers their ids. */
export async function draftApplications(
  http: BenchHttp,
  clerkToken: string,
  communityIds: string[],
  first: number,
  count: number,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const res = await http.post('/applications', clerkToken, applicationBody(communityIds, first + i));
        if (res.status !== 201) throw new Error(`draft refused: ${res.status} ${JSON.stringify(res.body)}`);
        ids[i] = res.body.id as string;
      }
    }),
  );
  return ids;
}

export interface ProductionRun {
  clients: number;
  applications: number;
  steps: number;
  seconds: number;
  /** Latency of each user action that makes a step (the submission or the completion request), ms. */
  actions: number[];
  /** Latency of each inbox read that finds the task before its completion, ms. */
  inbox: number[];
  failures: number;
  errors: string[];
}

/**
 * `clients` concurrent clients; client c drives drafts c, c + clients, … one after another, each from
 * submission to publication: submit as the clerk, then for each approval the approver reads their inbox,
 * finds the case's task at that element and completes it with "approve" (as the e2e tests' `act` does).
 */
export async function driveProduction(
  http: BenchHttp,
  tokens: Record<string, string>,
  drafts: string[],
  clients: number,
  servers: number,
): Promise<ProductionRun> {
  const run: ProductionRun = {
    clients,
    applications: drafts.length,
    steps: 0,
    seconds: 0,
    actions: [],
    inbox: [],
    failures: 0,
    errors: [],
  };
  const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
  const driveOne = async (draftId: string, server: number) => {
    let t0 = process.hrtime.bigint();
    const submitted = await http.post(`/applications/${draftId}/submit`, tokens['dept-staff'], {}, server);
    run.actions.push(ms(t0));
    if (submitted.status !== 200)
      throw new Error(`submission: ${submitted.status} ${JSON.stringify(submitted.body)}`);
    run.steps++;
    const instanceId = submitted.body.instanceId as string;
    for (const [user, element] of APPROVALS) {
      t0 = process.hrtime.bigint();
      const inbox = await http.request('GET', INBOX, tokens[user], undefined, server);
      run.inbox.push(ms(t0));
      if (inbox.status !== 200) throw new Error(`inbox of ${user}: ${inbox.status}`);
      // Today's inbox answers a list; a page answers { items, total, … }.
      const items = (Array.isArray(inbox.body) ? inbox.body : inbox.body.items) as {
        id: string;
        instanceId: string;
        elementId: string;
      }[];
      const task = items.find((x) => x.instanceId === instanceId && x.elementId === element);
      if (!task) throw new Error(`${user} has no ${element} task of ${instanceId}`);
      t0 = process.hrtime.bigint();
      const done = await http.post(
        `/tasks/${task.id}/complete`,
        tokens[user],
        { decision: 'approve' },
        server,
      );
      run.actions.push(ms(t0));
      if (done.status !== 200)
        throw new Error(`${user} at ${element}: ${done.status} ${JSON.stringify(done.body)}`);
      run.steps++;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client; i < drafts.length; i += clients) {
        try {
          await driveOne(drafts[i], client % servers);
        } catch (e) {
          run.failures++;
          if (run.errors.length < 5) run.errors.push((e as Error).message.slice(0, 300));
        }
      }
    }),
  );
  run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return run;
}

export interface EngineRun {
  steps: number;
  seconds: number;
  cpuMs: number;
}

/** Answers every waiting service call at once, with nothing, as a handler that does nothing would. */
function answerServices(live: LiveEngine): void {
  for (let guard = 0; live.pendingServices.length; guard++) {
    if (guard > 1000) throw new Error('service tasks keep coming');
    live.pendingServices.shift()!.callback(null, {});
  }
}

/** One user action on a live engine: the variables the runtime sets for a decision, the signal, the services. */
function approve(live: LiveEngine, element: string): void {
  const api = [...live.waits.values()].find((w) => w.id === element);
  if (!api) throw new Error(`engine reference: no wait at ${element}`);
  const variables = live.variables();
  variables.decision = { approve: true, value: 'approve' };
  variables.form = {};
  variables.comment = null;
  const decisions = (variables.decisions ?? {}) as Record<string, string>;
  decisions[element] = 'approve';
  variables.decisions = decisions;
  if (api.content.isMultiInstance) {
    // The countersign tally the runtime keeps (rule "all"): decided once every member unit approved.
    const tallies = (variables.countersign ?? {}) as Record<string, { approve: number; total: number }>;
    const total = (variables.memberUnits as unknown[]).length;
    const approved = (tallies[element]?.approve ?? 0) + 1;
    tallies[element] = {
      rule: 'all',
      total,
      approve: approved,
      reject: 0,
      decided: approved === total,
      approved: approved === total,
    } as never;
    variables.countersign = tallies;
  }
  api.signal({ decision: 'approve', form: {} });
  live.waits.delete(api.executionId);
  answerServices(live);
}

/**
 * The same flow on bare live engines in memory, `concurrent` cases at a time (round-robin, a step of each in
 * turn), one process, no database; CPU time of this process over it.
 */
export async function engineReference(
  applications: number,
  concurrent: number,
  memberUnits: string[],
): Promise<EngineRun> {
  const source = await serializeSource(PRODUCTION_XML);
  const topics = [...new Set([...PRODUCTION_XML.matchAll(/environment\.services\.(\w+)/g)].map((m) => m[1]))];
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  let steps = 0;
  for (let done = 0; done < applications; done += concurrent) {
    const batch: LiveEngine[] = [];
    for (let i = 0; i < Math.min(concurrent, applications - done); i++) {
      const live = new LiveEngine(source, PRODUCTION_XML, topics);
      await live.start({ applicationId: `application-${done + i}`, memberUnits, fundingWindow: 'P30D' });
      answerServices(live);
      await live.state();
      steps++;
      batch.push(live);
    }
    for (const [, element] of APPROVALS) {
      for (const live of batch) {
        approve(live, element);
        await live.state();
        steps++;
      }
    }
    for (const live of batch) {
      // Published: no task left, the funding window's timer held.
      if (live.failed) throw live.failed;
      if (live.waits.size || live.heldTimers().length !== 1)
        throw new Error(
          `engine reference: ${live.waits.size} waits, ${live.heldTimers().length} timers at the end`,
        );
      live.stop();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { steps, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}
