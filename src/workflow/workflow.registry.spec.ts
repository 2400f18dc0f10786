import { registrantOf, WorkflowRegistry } from './workflow.registry.js';

class FirstModule {
  constructor(private readonly r: WorkflowRegistry) {}
  onModuleInit() {
    this.r.registerGroup('office', async () => ({}));
    this.r.registerService('publish', async () => undefined);
    this.r.registerForm('approval', { decisions: ['approve'] });
    this.r.registerEscalation(async () => ({}));
  }
}

class SecondModule {
  constructor(private readonly r: WorkflowRegistry) {}
  group() {
    this.r.registerGroup('office', async () => ({ unitIds: ['x'] }));
  }
  service() {
    this.r.registerService('publish', async () => undefined);
  }
  form() {
    this.r.registerForm('approval', { decisions: ['reject'] });
  }
  escalation() {
    this.r.registerEscalation(async () => ({}));
  }
}

describe('workflow registry names', () => {
  let registry: WorkflowRegistry;
  let second: SecondModule;
  beforeEach(() => {
    registry = new WorkflowRegistry();
    new FirstModule(registry).onModuleInit();
    second = new SecondModule(registry);
  });

  it('given a candidate group registered, when another module registers the same name, then start-up stops naming the name and both registrants, and the first stays', async () => {
    expect(() => second.group()).toThrow(
      /^workflow candidate group "office" is registered twice: first by FirstModule\S* .*\(src\/workflow\/workflow\.registry\.spec\.ts:6:\d+\), again by SecondModule\S* .*\(src\/workflow\/workflow\.registry\.spec\.ts:16:\d+\)$/,
    );
    expect(await registry.group('office')!({} as never)).toEqual({});
  });

  it('given a service topic, a form and the escalation registered, when registered again, then each is an error', () => {
    expect(() => second.service()).toThrow(/service topic "publish" is registered twice/);
    expect(() => second.form()).toThrow(/form "approval" is registered twice/);
    expect(registry.form('approval')!.decisions).toEqual(['approve']);
    expect(() => second.escalation()).toThrow(/escalation "of overdue steps" is registered twice/);
  });

  it('given the same name under different kinds, or different names, then both register', () => {
    registry.registerForm('office', { decisions: ['approve'] });
    registry.registerGroup('finance', async () => ({}));
    expect(registry.form('office')).toBeDefined();
    expect(registry.group('finance')).toBeDefined();
  });

  it('given a stack trace, then the registrant is its first frame outside the registry, without the machine path', () => {
    const stack = [
      'Error',
      '    at WorkflowRegistry.claim (file:///srv/app/dist/src/workflow/workflow.registry.js:80:25)',
      '    at WorkflowRegistry.registerGroup (file:///srv/app/dist/src/workflow/workflow.registry.js:88:14)',
      '    at WorkflowGroups.onModuleInit (file:///srv/app/dist/src/org/workflow-groups.js:25:11)',
    ].join('\n');
    expect(registrantOf(stack)).toBe('WorkflowGroups.onModuleInit (dist/src/org/workflow-groups.js:25:11)');
    expect(registrantOf(undefined)).toBe('an unknown registrant');
  });
});
