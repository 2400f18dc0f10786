import { canonicalJson, GENESIS_HASH, recordHash } from './audit.service.js';

describe('audit hash chain', () => {
  const base = {
    at: new Date('2026-11-22T08:00:00.000Z'),
    actorId: null,
    actorUsername: 'system',
    action: 'x',
    entityType: 'y',
    entityId: null,
    data: { b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } },
    requestId: null,
  };

  it('given the same content with keys in another order, then the canonical JSON is the same', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
    expect(canonicalJson(base.data)).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('given one changed field or another predecessor, then the hash changes', () => {
    const h = recordHash(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(recordHash(GENESIS_HASH, { ...base })).toBe(h);
    expect(recordHash(GENESIS_HASH, { ...base, action: 'z' })).not.toBe(h);
    expect(recordHash('1'.repeat(64), base)).not.toBe(h);
  });
});
