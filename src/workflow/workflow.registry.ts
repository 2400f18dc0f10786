import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';

/** Who may take a task: users of these units (holding one of these roles, if any), or these users. */
export interface Candidates {
  unitIds?: string[];
  roles?: string[];
  userIds?: string[];
}

export interface InstanceInfo {
  id: string;
  processId: string;
  businessKey: string | null;
  ownerUnitId: string | null;
  startedBy: string | null;
}

export interface GroupContext {
  manager: EntityManager;
  instance: InstanceInfo;
  elementId: string;
  /** The multi-instance element value of this iteration, if any (e.g. a member unit's id). */
  loopItem: unknown;
  /** The case's variables (as of its last step when an open task is re-resolved). */
  variables: Record<string, unknown>;
  /**
   * A lookup made once for all the tasks being resolved together (the tasks a step opens, the tasks an
   * organization change re-resolves): the first call with a key runs `load`, later ones share its answer.
   */
  once: <T>(key: string, load: () => Promise<T>) => Promise<T>;
  /** The task's own candidate groups, when its escalation is resolved (whose step is late decides who is told). */
  candidateGroups?: string | null;
}

/** A fresh GroupContext.once: answers kept for one resolution of several tasks, then dropped with it. */
export function lookupsOnce(): GroupContext['once'] {
  const kept = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!kept.has(key)) kept.set(key, load());
    return kept.get(key) as Promise<T>;
  };
}

export interface ServiceContext {
  manager: EntityManager;
  instance: InstanceInfo;
  elementId: string;
  /** Process variables: read them, and set the ones later steps and conditions need. */
  variables: Record<string, unknown>;
  actor: Actor;
}

export interface FormCheckContext {
  manager: EntityManager;
  instance: InstanceInfo;
  elementId: string;
  decision: string;
  form: Record<string, unknown>;
  actor: Actor;
}

export interface FormSpec {
  /** Decisions a task of this form may end with; the first is the default. */
  decisions: string[];
  /** Chinese names of its decisions where they differ from the usual ones (task-decisions.ts). */
  labels?: Record<string, string>;
  /** Decisions that must come with a comment (the reason); refused without one. */
  commentRequired?: string[];
  /** class-validator DTO the form data must fit; omitted: the form carries no data. */
  dto?: new () => object;
  /** A domain rule checked inside the completing step (throw an AppError to refuse, e.g. an incomplete resubmission). */
  check?: (ctx: FormCheckContext) => Promise<void>;
}

export interface TerminationContext {
  manager: EntityManager;
  instance: InstanceInfo;
  /** The office's reason (its comment), if it gave one. */
  reason: string | null;
  actor: Actor;
  now: Date;
}

/** What a domain does when the office terminates (终止) a case of its process, inside the termination's step. */
export type TerminationHandler = (ctx: TerminationContext) => Promise<void>;

export type GroupResolver = (ctx: GroupContext) => Promise<Candidates>;

/** What a case is about, as its domain describes it: what the inbox shows instead of a process id and a UUID. */
export interface CaseSubject {
  /** E.g. the application's title, the exiting item's title, the negative-list change's text. */
  title: string;
  /** Its number (e.g. 〔2026〕第3号) once it has one. */
  number: string | null;
  /** The unit it is from (e.g. the applicant department's name). */
  unitName: string | null;
  /** Its kind as a code (e.g. `task`, `meeting`) and as a Chinese label. */
  kind: string | null;
  kindName: string | null;
  /** A line more, if the domain has one (e.g. an exit's community and reason). */
  summary: string | null;
}
/**
 * Describes the subjects of many cases of one process at once (one query for a page of tasks, not one per
 * task): business key → subject; a key it does not know is left out.
 */
export type SubjectDescriber = (
  m: EntityManager,
  businessKeys: string[],
) => Promise<Map<string, CaseSubject>>;
export type ServiceHandler = (ctx: ServiceContext) => Promise<Record<string, unknown> | void>;

/**
 * What the domains tell the runtime: how candidate groups resolve against the organization, which
 * service topics they handle, which forms their tasks carry, and which processes they need deployed.
 */
@Injectable()
export class WorkflowRegistry {
  private readonly groups = new Map<string, GroupResolver>();
  private readonly services = new Map<string, ServiceHandler>();
  private readonly forms = new Map<string, FormSpec>();
  private readonly required = new Set<string>();
  private readonly adminStartable = new Set<string>();
  private escalation?: GroupResolver;
  private readonly terminationHandlers = new Map<string, TerminationHandler>();
  private readonly subjects = new Map<string, SubjectDescriber>();
  private readonly publicVariables = new Map<string, readonly string[]>();
  /** Who registered each name (kind and name → the registering code's place), for the error on a second one. */
  private readonly registrants = new Map<string, string>();

  /**
   * A name is registered once: a second registration of a candidate group, a service topic, a form or the
   * escalation is a mistake (two modules would each believe theirs runs) and stops the start-up, naming both.
   */
  private claim(kind: string, name: string): void {
    const key = `${kind} ${name}`;
    const registrant = registrantOf(new Error().stack);
    const first = this.registrants.get(key);
    if (first !== undefined)
      throw new Error(
        `workflow ${kind} "${name}" is registered twice: first by ${first}, again by ${registrant}`,
      );
    this.registrants.set(key, registrant);
  }

  registerGroup(name: string, resolver: GroupResolver): void {
    this.claim('candidate group', name);
    this.groups.set(name, resolver);
  }
  registerService(topic: string, handler: ServiceHandler): void {
    this.claim('service topic', topic);
    this.services.set(topic, handler);
  }
  registerForm(formKey: string, spec: FormSpec): void {
    this.claim('form', formKey);
    this.forms.set(formKey, spec);
  }
  requireProcess(processId: string): void {
    this.required.add(processId);
  }
  /**
   * Lets the system administrator start this process through `POST /workflow-instances` (a probe or a test
   * flow). Opt-in: a domain flow is started only by its own business action (三员分立), so none registers here.
   */
  allowAdministrativeStart(processId: string): void {
    this.adminStartable.add(processId);
  }
  /** Where overdue steps are escalated (e.g. the office of the case's level). */
  registerEscalation(resolver: GroupResolver): void {
    this.claim('escalation', 'of overdue steps');
    this.escalation = resolver;
  }

  /**
   * What happens to the domain's object when the office terminates (终止) a case of this process (e.g. the
   * application ends as terminated); run inside the termination's transaction, so both happen or neither.
   */
  registerTermination(processId: string, handler: TerminationHandler): void {
    this.claim('termination handler', processId);
    this.terminationHandlers.set(processId, handler);
  }
  termination(processId: string): TerminationHandler | undefined {
    return this.terminationHandlers.get(processId);
  }
  /** How the domain describes the subject of this process's cases (the inbox, a task, a case). */
  registerSubject(processId: string, describer: SubjectDescriber): void {
    this.claim('subject of process', processId);
    this.subjects.set(processId, describer);
  }
  /**
   * The case variables of this process that its answers show (GET /workflow-instances/:id). Every other
   * variable — the engine's own, routing flags, form copies — stays inside; a process that declares none shows none.
   */
  declarePublicVariables(processId: string, names: string[]): void {
    this.claim('public variables of process', processId);
    this.publicVariables.set(processId, [...names]);
  }

  subjectDescriber(processId: string): SubjectDescriber | undefined {
    return this.subjects.get(processId);
  }
  /** The declared public variables of a process (none when it declared none). */
  publicVariablesOf(processId: string): readonly string[] {
    return this.publicVariables.get(processId) ?? [];
  }

  group(name: string): GroupResolver | undefined {
    return this.groups.get(name);
  }
  /**
   * The candidates of a task made for these groups (camunda:candidateGroups, comma-separated), as the
   * organization is now: when the task is created, and again whenever the organization changes.
   */
  async resolveCandidates(groups: string | null, ctx: GroupContext): Promise<Required<Candidates>> {
    const all: Required<Candidates> = { unitIds: [], roles: [], userIds: [] };
    for (const name of (groups ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean)) {
      const resolver = this.groups.get(name);
      if (!resolver) throw new Error(`candidate group ${name} has no resolver`);
      const c = await resolver(ctx);
      all.unitIds.push(...(c.unitIds ?? []));
      all.roles.push(...(c.roles ?? []));
      all.userIds.push(...(c.userIds ?? []));
    }
    return {
      unitIds: [...new Set(all.unitIds)],
      roles: [...new Set(all.roles)],
      userIds: [...new Set(all.userIds)],
    };
  }
  service(topic: string): ServiceHandler | undefined {
    return this.services.get(topic);
  }
  form(formKey: string): FormSpec | undefined {
    return this.forms.get(formKey);
  }
  topics(): string[] {
    return [...this.services.keys()];
  }
  administrativelyStartable(processId: string): boolean {
    return this.adminStartable.has(processId);
  }
  requiredProcesses(): string[] {
    return [...this.required];
  }
  escalationResolver(): GroupResolver | undefined {
    return this.escalation;
  }
}

/**
 * The code that called a register method, from a stack trace (e.g. `WorkflowGroups.onModuleInit
 * (src/org/workflow-groups.ts:25)`), or "an unknown registrant" when the stack does not say.
 */
export function registrantOf(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  const caller = frames.find((l) => !/workflow\.registry\.[jt]s/.test(l));
  if (!caller) return 'an unknown registrant';
  return caller
    .trim()
    .replace(/^at /, '')
    .replace(/(?:file:\/\/)?[^\s(]*?\/((?:src|test|bench|dist)\/)/, '$1');
}
