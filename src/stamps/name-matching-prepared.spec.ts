import { dice, scoreForm } from './name-matching.js';

/** Dice over bigrams as first written: each of a's pairs takes one equal pair of b's out of the pool. */
function diceByPool(a: string, b: string): number {
  const pairs = (t: string) => Array.from({ length: Math.max(0, t.length - 1) }, (_, i) => t.slice(i, i + 2));
  const x = pairs(a);
  const pool = pairs(b);
  const total = x.length + pool.length;
  if (!x.length || !pool.length) return 0;
  let common = 0;
  for (const g of x) {
    const i = pool.indexOf(g);
    if (i >= 0) {
      common++;
      pool.splice(i, 1);
    }
  }
  return (2 * common) / total;
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the name matching’s parts worked out once (预先计算的比较项)', () => {
  it('given texts with repeated pairs, surrogate pairs and one character, then dice counts as the pool of bigrams did', () => {
    const next = random(13);
    const alphabet = [...'居住养犬证明无犯罪记录活着困难租房哈哈', '𠀀', '𠀁', 'a', 'b'];
    const text = () =>
      Array.from(
        { length: Math.floor(next() * 9) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
    for (let k = 0; k < 2000; k++) {
      const [a, b] = [text(), text()];
      expect([a, b, dice(a, b)]).toEqual([a, b, diceByPool(a, b)]);
    }
    expect(dice('哈哈哈', '哈哈')).toBe(diceByPool('哈哈哈', '哈哈'));
    expect(dice('居', '居住')).toBe(0);
  });

  it('given the same characters reordered, or a negation the name lacks, then the score is as the rules say', () => {
    expect(scoreForm('养犬居民证明', '居民养犬证明')).toBe(1); // 居民 is shared: the distinctive parts are equal
    expect(scoreForm('记录犯罪无', '无犯罪记录')).toBe(0.9);
    expect(scoreForm('未死亡证明', '死亡证明')).toBeLessThan(0.5);
    expect(scoreForm('无犯罪记录证明', '无犯罪记录证明')).toBe(1);
  });
});
