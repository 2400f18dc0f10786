import { jsonDepthExceeds } from './json-body.js';

describe('jsonDepthExceeds', () => {
  it('counts nested arrays and objects up to the limit', () => {
    expect(jsonDepthExceeds('[[{"a":[1]}]]', 4)).toBe(false);
    expect(jsonDepthExceeds('[[{"a":[[1]]}]]', 4)).toBe(true);
    expect(jsonDepthExceeds('[' + '[],'.repeat(1000) + '[]]', 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '[[[[{{{{', b: 'x\\"[[[["' }), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: '\\', b: [[1]] }), 2)).toBe(true);
  });
});
