import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The embedded default's audit seal key: generated once into a file beside (not inside) the database, readable
 * by the service's user only. Whoever holds both the file and the database can forge seals: keep a copy of
 * the file elsewhere, or set AUDIT_SEAL_KEY.
 */
export async function fileSealKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'audit-seal.key');
  try {
    await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key = (await readFile(file, 'utf8')).trim();
  if (key.length < 32) throw new Error(`${file} holds no audit seal key (32 characters or more): restore it`);
  return key;
}
