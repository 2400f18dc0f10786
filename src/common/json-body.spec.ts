import { jsonShapeProblem, MAX_KEYS_PER_BODY, MAX_KEYS_PER_OBJECT } from './json-body.js';

const jsonDepthExceeds = (text: string, limit: number) => jsonShapeProblem(text, limit) === 'too-deep';

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

describe('jsonShapeProblem: keys of one object', () => {
  const object = (n: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
  it('given an object with more keys than the limit, then too-many-keys; at the limit, or spread over objects, nothing', () => {
    expect(jsonShapeProblem(object(MAX_KEYS_PER_OBJECT + 1), 64)).toBe('too-many-keys');
    expect(jsonShapeProblem(object(MAX_KEYS_PER_OBJECT), 64)).toBeNull();
    expect(
      jsonShapeProblem(`[${Array.from({ length: 3 }, () => object(MAX_KEYS_PER_OBJECT)).join(',')}]`, 64),
    ).toBeNull();
    expect(jsonShapeProblem(`{"a":${object(MAX_KEYS_PER_OBJECT)},"b":1}`, 64)).toBeNull();
  });
  it('given colons inside strings or an array of many items, then they are no keys', () => {
    expect(jsonShapeProblem(JSON.stringify({ a: ':'.repeat(5000) }), 64)).toBeNull();
    expect(jsonShapeProblem(JSON.stringify(Array.from({ length: 5000 }, (_, i) => `x:${i}`)), 64)).toBeNull();
  });
});

describe('jsonShapeProblem: keys of the whole body', () => {
  const object = (n: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
  it('given objects whose keys together pass the limit, then too-many-keys; up to it, nothing', () => {
    const many = (objects: number) =>
      `{"list":[${Array.from({ length: objects }, () => object(500)).join(',')}]}`;
    expect(jsonShapeProblem(many(MAX_KEYS_PER_BODY / 500 - 1), 64)).toBeNull(); // and the one key "list"
    expect(jsonShapeProblem(many(MAX_KEYS_PER_BODY / 500), 64)).toBe('too-many-keys');
  });
});
