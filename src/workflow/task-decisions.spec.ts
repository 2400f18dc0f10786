import { describeDecisions } from './task-decisions.js';
import { WorkflowRegistry } from './workflow.registry.js';

describe('the decisions a task offers (task-decisions)', () => {
  const registry = new WorkflowRegistry();
  registry.registerForm('review', { decisions: ['approve', 'return', 'reject'] });
  registry.registerForm('exit', {
    decisions: ['approve', 'reject'],
    labels: { approve: '同意退出' },
    commentRequired: ['reject'],
  });

  it('given a form, then its decisions come in its order with their Chinese labels, a return asking for deficiencies', () => {
    expect(describeDecisions(registry, { formKey: 'review', kind: 'step' })).toEqual([
      { code: 'approve', label: '同意', commentRequired: false, deficienciesRequired: false },
      { code: 'return', label: '退回补正', commentRequired: false, deficienciesRequired: true },
      { code: 'reject', label: '不同意', commentRequired: false, deficienciesRequired: false },
    ]);
  });

  it('given a form with its own labels and a reason required, then those are offered', () => {
    expect(describeDecisions(registry, { formKey: 'exit', kind: 'step' })).toEqual([
      { code: 'approve', label: '同意退出', commentRequired: false, deficienciesRequired: false },
      { code: 'reject', label: '不同意', commentRequired: true, deficienciesRequired: false },
    ]);
  });

  it('given a step without a form or an added signature, then 办结, or 同意 and 不同意', () => {
    expect(describeDecisions(registry, { formKey: null, kind: 'step' }).map((d) => d.label)).toEqual([
      '办结',
    ]);
    expect(
      describeDecisions(registry, { formKey: 'review', kind: 'added-signer' }).map((d) => d.code),
    ).toEqual(['approve', 'reject']);
  });
});
