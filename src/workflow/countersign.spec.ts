import { countersignRule, decideCountersign } from './countersign.js';

describe('会签 rules', () => {
  it('given rule all, then one rejection decides against and only unanimity approves', () => {
    expect(decideCountersign('all', 3, 2, 0)).toEqual({ decided: false, approved: false, returned: false });
    expect(decideCountersign('all', 3, 3, 0)).toEqual({ decided: true, approved: true, returned: false });
    expect(decideCountersign('all', 3, 1, 1)).toEqual({ decided: true, approved: false, returned: false });
  });

  it('given rule majority, then more than half decides', () => {
    expect(decideCountersign('majority', 3, 1, 0)).toEqual({
      decided: false,
      approved: false,
      returned: false,
    });
    expect(decideCountersign('majority', 3, 2, 0)).toEqual({
      decided: true,
      approved: true,
      returned: false,
    });
    expect(decideCountersign('majority', 4, 1, 2)).toEqual({
      decided: true,
      approved: false,
      returned: false,
    });
  });

  it('given rule any, then one approval suffices and all rejecting decides against', () => {
    expect(decideCountersign('any', 3, 0, 2)).toEqual({ decided: false, approved: false, returned: false });
    expect(decideCountersign('any', 3, 1, 0)).toEqual({ decided: true, approved: true, returned: false });
    expect(decideCountersign('any', 3, 0, 3)).toEqual({ decided: true, approved: false, returned: false });
  });
});

describe('会签 return', () => {
  it('given one member returns, then the countersign is decided as returned under every rule, whatever the others did', () => {
    for (const rule of ['all', 'majority', 'any'] as const) {
      expect(decideCountersign(rule, 3, 0, 0, 1)).toEqual({ decided: true, approved: false, returned: true });
      expect(decideCountersign(rule, 3, 2, 0, 1)).toEqual({ decided: true, approved: false, returned: true });
    }
  });

  it('given no return, then the rule decides as before and nothing is returned', () => {
    expect(decideCountersign('all', 3, 3, 0, 0)).toEqual({ decided: true, approved: true, returned: false });
    expect(decideCountersign('all', 3, 1, 0)).toEqual({ decided: false, approved: false, returned: false });
  });
});

describe('会签 rule of an element', () => {
  const withRule = (value: string) => ({
    extensionElements: {
      values: [{ $type: 'camunda:Properties', values: [{ name: 'countersignRule', value }] }],
    },
  });

  it('given a majority property, then majority; given none or an unknown rule, then all', () => {
    expect(countersignRule(withRule('majority'))).toBe('majority');
    expect(countersignRule(withRule('any'))).toBe('any');
    expect(countersignRule(withRule('most'))).toBe('all');
    expect(countersignRule({})).toBe('all');
  });
});
