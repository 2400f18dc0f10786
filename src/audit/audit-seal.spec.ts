import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvError, loadEnv } from '../config/env.js';
import { fileSealKey } from './audit-seal-key.js';
import { sealKeyId, sealMac, shanghaiDay } from './audit-sealer.service.js';

describe('audit seals', () => {
  const seal = {
    day: '2026-11-30',
    upToSeq: '42',
    hash: 'a'.repeat(64),
    keyId: sealKeyId('k'.repeat(32)),
    sealedAt: new Date('2026-11-30T16:00:01.000Z'),
  };

  it('given a seal, then its HMAC depends on the key and on every field', () => {
    const mac = sealMac('k'.repeat(32), seal);
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    expect(sealMac('k'.repeat(33), seal)).not.toBe(mac);
    expect(sealMac('k'.repeat(32), { ...seal, hash: 'b'.repeat(64) })).not.toBe(mac);
    expect(sealMac('k'.repeat(32), { ...seal, upToSeq: '41' })).not.toBe(mac);
    expect(sealMac('k'.repeat(32), { ...seal, day: '2026-12-01' })).not.toBe(mac);
  });

  it('given instants around midnight in China, then the day is the Asia/Shanghai day', () => {
    expect(shanghaiDay(new Date('2026-11-30T15:59:59.999Z'))).toBe('2026-11-30');
    expect(shanghaiDay(new Date('2026-11-30T16:00:00.000Z'))).toBe('2026-12-01');
  });

  it('given AUDIT_SEAL_KEY shorter than 32 characters, then start-up stops naming it', () => {
    expect(() => loadEnv({ AUDIT_SEAL_KEY: 'short' })).toThrow(EnvError);
    expect(() => loadEnv({ AUDIT_SEAL_KEY: 'short' })).toThrow(/AUDIT_SEAL_KEY/);
    expect(loadEnv({ AUDIT_SEAL_KEY: 'x'.repeat(32) }).AUDIT_SEAL_KEY).toBe('x'.repeat(32));
  });

  it('given no key on the embedded default, then one is generated once into a file only its owner reads, and kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seal-'));
    try {
      const key = await fileSealKey(dir);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect((await stat(join(dir, 'audit-seal.key'))).mode & 0o777).toBe(0o600);
      expect(await fileSealKey(dir)).toBe(key);
      await writeFile(join(dir, 'audit-seal.key'), 'short');
      await expect(fileSealKey(dir)).rejects.toThrow(/restore it/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
