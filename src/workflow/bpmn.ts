/* The BPMN side of the runtime: parsing and checking definitions, and live engines whose waits, timers and
   service calls are tracked so that the runtime can persist them. Nothing here touches the database. */
import BpmnModdle from 'bpmn-moddle';
import { Timers } from 'bpmn-elements';
import { Engine } from 'bpmn-engine';
import { deserialize, type SerializableContext } from 'moddle-context-serializer';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json') as object;
export const MODDLE_OPTIONS = { camunda: camundaModdle };

/** The pattern a service task's implementation must follow: `${environment.services.<topic>}`. */
const SERVICE_PATTERN = /^\$\{environment\.services\.([A-Za-z][\w.-]*)\}$/;

export class DefinitionError extends Error {}

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  flowElements?: ModdleElement[];
  rootElements?: ModdleElement[];
  conditionExpression?: { language?: string; body?: string };
  implementation?: string;
  candidateGroups?: string;
  loopCharacteristics?: { completionCondition?: { language?: string } };
  isExecutable?: boolean;
}

export interface ParsedDefinition {
  processId: string;
  name: string | null;
  topics: string[];
  userTasks: { id: string; name: string | null; candidateGroups: string | null; formKey: string | null }[];
}

/**
 * Parses and checks one BPMN file: well-formed XML, exactly one executable process, no script tasks or
 * script conditions (scripts run in Node's vm, which is no security boundary), service tasks bound to a
 * named topic. Errors name the file and the element.
 */
export async function parseDefinition(fileName: string, xml: string): Promise<ParsedDefinition> {
  const moddle = new BpmnModdle(MODDLE_OPTIONS);
  let root: ModdleElement;
  let warnings: { message: string }[];
  try {
    const result = await moddle.fromXML(xml.trim());
    root = result.rootElement as unknown as ModdleElement;
    warnings = (result.warnings ?? []) as { message: string }[];
  } catch (e) {
    throw new DefinitionError(`${fileName}: the XML does not parse: ${(e as Error).message}`, { cause: e });
  }
  const unresolved = warnings.filter((w) =>
    /unresolved reference|unparsable content|unknown/i.test(w.message),
  );
  if (unresolved.length)
    throw new DefinitionError(`${fileName}: ${unresolved.map((w) => w.message).join('; ')}`);
  const processes = (root.rootElements ?? []).filter(
    (e) => e.$type === 'bpmn:Process' && e.isExecutable !== false,
  );
  if (processes.length !== 1) {
    throw new DefinitionError(
      `${fileName}: expected exactly one executable process, found ${processes.length}`,
    );
  }
  const process = processes[0];
  if (!process.id) throw new DefinitionError(`${fileName}: the process has no id`);
  const topics: string[] = [];
  const userTasks: ParsedDefinition['userTasks'] = [];
  const visit = (elements: ModdleElement[] = []) => {
    for (const el of elements) {
      const where = `${fileName}: element "${el.id}" (${el.$type})`;
      if (el.$type === 'bpmn:ScriptTask') throw new DefinitionError(`${where}: script tasks are not allowed`);
      if (el.conditionExpression?.language) {
        throw new DefinitionError(
          `${where}: script conditions are not allowed; use an expression like \${environment.variables.decision.approve}`,
        );
      }
      if (el.loopCharacteristics?.completionCondition?.language) {
        throw new DefinitionError(`${where}: script completion conditions are not allowed`);
      }
      if (el.$type === 'bpmn:ServiceTask' || el.$type === 'bpmn:SendTask') {
        const match = SERVICE_PATTERN.exec(el.implementation ?? '');
        if (!match)
          throw new DefinitionError(`${where}: implementation must be \${environment.services.<topic>}`);
        topics.push(match[1]);
      }
      if (el.$type === 'bpmn:UserTask') {
        userTasks.push({
          id: el.id!,
          name: el.name ?? null,
          candidateGroups: el.candidateGroups ?? null,
          formKey: (el as { formKey?: string }).formKey ?? null,
        });
      }
      if (el.flowElements) visit(el.flowElements);
    }
  };
  visit(process.flowElements);
  return { processId: process.id, name: process.name ?? null, topics: [...new Set(topics)], userTasks };
}

/** Serializes a definition's model once, at deploy, so that recovering an instance need not parse XML. */
export async function serializeSource(xml: string): Promise<string> {
  const engine = new Engine({
    name: 'serialize',
    source: xml,
    moddleOptions: MODDLE_OPTIONS,
    scripts: NO_SCRIPTS as never,
  });
  const state = (await engine.getState()) as unknown as { definitions: { source: string }[] };
  return state.definitions[0].source;
}

const NO_SCRIPTS = {
  register() {
    return undefined;
  },
  getScript() {
    return undefined;
  },
};

/** The subset of the engine's element API the runtime uses. */
export interface ElementApi {
  id: string;
  type: string;
  executionId: string;
  name?: string;
  content: Record<string, unknown> & {
    isMultiInstance?: boolean;
    index?: number;
    parent?: { executionId?: string };
  };
  owner: { behaviour: Record<string, unknown>; name?: string };
  signal(message?: unknown): void;
  environment: { variables: Record<string, unknown> };
}

export interface PendingServiceCall {
  topic: string;
  elementId: string;
  executionId: string;
  message: { content: Record<string, unknown> };
  callback: (err: Error | null, output?: unknown) => void;
}

interface TimerRef {
  owner: {
    id: string;
    executionId: string;
    expireAt?: string | Date;
    timerType?: string;
    parent?: { executionId?: string };
  };
  callback: (...args: unknown[]) => void;
  args: unknown[];
  /** Milliseconds from when the engine set it (the engine reads the machine's time for that). */
  delay: number;
  expireAt: Date;
}

interface EngineLike {
  addSource(options: { sourceContext: SerializableContext }): void;
  execute(options?: object): Promise<unknown>;
  recover(state: object): EngineLike;
  resume(): Promise<unknown>;
  getState(): Promise<object>;
  stop(): unknown;
  state: string;
  execution: {
    definitions: { getRunningProcesses(): { environment: { variables: Record<string, unknown> } }[] }[];
  } | null;
}

/** bpmn-engine's resolver of element types (the one it deserializes a stored model with). */
const TYPE_RESOLVER = Symbol.for('type resolver');

/**
 * The engine's model from a definition's serialized form. The engine's getState serializes the whole model
 * again at every step (state() then drops it): that serialization is the one already at hand.
 */
function modelOf(engine: object, serializedSource: string): SerializableContext {
  const resolver = (engine as Record<symbol, Parameters<typeof deserialize>[1]>)[TYPE_RESOLVER];
  const model = deserialize(JSON.parse(serializedSource) as object, resolver);
  model.serialize = () => serializedSource;
  return model;
}

/**
 * One engine with everything the runtime must see after each step: user tasks waiting (by execution id),
 * BPMN timers running (held, never scheduled in process: the durable timers fire them), service calls
 * waiting for their handler, and the elements that ran.
 */
export class LiveEngine {
  readonly waits = new Map<string, ElementApi>();
  readonly pendingServices: PendingServiceCall[] = [];
  readonly timers: InstanceType<typeof Timers>;
  readonly engine: EngineLike;
  /** Elements entered and left in the current step, for history and the diagram. */
  readonly trail: { event: string; elementId: string; executionId: string; type: string }[] = [];
  ended = false;
  failed: Error | null = null;

  constructor(serializedSource: string | null, xml: string | null, topics: readonly string[]) {
    const listener = new EventEmitter();
    listener.on('wait', (api: ElementApi) => {
      if (api.type === 'bpmn:UserTask' && !(api.content.isMultiInstance && api.content.index === undefined)) {
        this.waits.set(api.executionId, api);
      }
    });
    for (const event of ['activity.end', 'activity.leave', 'activity.discard', 'activity.stop']) {
      listener.on(event, (api: ElementApi) => {
        // A multi-instance activity's iterations are <executionId>_<index>: when it ends, they all have.
        this.waits.delete(api.executionId);
        for (const key of this.waits.keys())
          if (key.startsWith(`${api.executionId}_`)) this.waits.delete(key);
        if (event !== 'activity.leave')
          this.trail.push({ event, elementId: api.id, executionId: api.executionId, type: api.type });
      });
    }
    // No in-process timers: a due timer is fired by the durable timer job (see fireTimer).
    this.timers = new Timers({ setTimeout: (() => null) as never, clearTimeout: () => undefined });
    const services: Record<string, unknown> = {};
    for (const topic of topics) {
      services[topic] = (
        message: PendingServiceCall['message'],
        callback: PendingServiceCall['callback'],
      ) => {
        const content = message.content as { id: string; executionId: string };
        this.pendingServices.push({
          topic,
          elementId: content.id,
          executionId: content.executionId,
          message,
          callback,
        });
      };
    }
    const engine = new Engine({
      name: 'workflow',
      ...(xml && !serializedSource ? { source: xml } : {}),
      moddleOptions: MODDLE_OPTIONS,
      listener,
      timers: this.timers,
      services,
      scripts: NO_SCRIPTS,
      settings: { enableDummyService: false, disableTrackState: true },
    } as never) as unknown as EngineLike & EventEmitter;
    engine.on('end', () => (this.ended = true));
    engine.on('error', (err: Error) => (this.failed = err));
    // The model from its serialized form (made once, at deploy) rather than from the XML: no parse per case.
    if (serializedSource) engine.addSource({ sourceContext: modelOf(engine, serializedSource) });
    this.engine = engine;
  }

  /** Starts a new instance with these variables. */
  async start(variables: Record<string, unknown>): Promise<void> {
    await this.engine.execute({ variables });
  }

  /** Recovers an engine (made with its serialized model) from stored state, saved without the model, and resumes it. */
  async recover(state: object): Promise<void> {
    // A copy: the engine keeps parts of the state it recovers from. Without a source of its own, each
    // definition takes the model given to the constructor.
    const copy = structuredClone(state) as { definitions: { source?: string }[] };
    for (const d of copy.definitions) delete d.source;
    this.engine.recover(copy);
    await this.engine.resume();
  }

  /** The state to store: the engine's, less the model (stored once per definition version). */
  async state(): Promise<object> {
    const state = (await this.engine.getState()) as { definitions: { source?: string }[] };
    for (const d of state.definitions) delete d.source;
    return state;
  }

  /** Process-level variables: conditions and expressions read them. */
  variables(): Record<string, unknown> {
    const definitions = this.engine.execution?.definitions ?? [];
    for (const d of definitions) {
      const running = d.getRunningProcesses();
      if (running.length) return running[0].environment.variables;
    }
    return {};
  }

  /**
   * Timers the engine holds now, by the execution id of their timer event. The engine counts a duration
   * (`timeDuration`, `timeCycle`) from the machine's time; given `now` (the application's clock), a timer set
   * in this step expires that long after `now` instead, so that a moved clock moves it too. A date
   * (`timeDate`) expires when it says.
   */
  heldTimers(now?: Date): { elementId: string; executionId: string; expireAt: Date; fire(): void }[] {
    return (this.timers.executing as unknown as TimerRef[]).map((ref) => ({
      elementId: ref.owner.id,
      executionId: ref.owner.executionId,
      expireAt:
        now && ref.owner.timerType !== 'timeDate' && Number.isFinite(ref.delay)
          ? new Date(now.getTime() + ref.delay)
          : new Date(ref.owner.expireAt ?? ref.expireAt),
      fire: () => {
        this.timers.clearTimeout(ref as never);
        ref.callback(...ref.args);
      },
    }));
  }

  stop(): void {
    try {
      this.engine.stop();
    } catch {
      // an ended engine has nothing to stop
    }
  }
}
