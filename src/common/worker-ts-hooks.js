/**
 * Module hooks for a worker thread started from TypeScript source (the tests run the sources through SWC, not the
 * build): `.js` imports that name a `.ts` file resolve to it, and `.ts` files are compiled as the tests compile
 * them. Registered by worker-ts-register.js; the built service never loads either (its workers run the compiled
 * `.js`).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith('.') || specifier.startsWith('file:');
    if (!relative || !specifier.endsWith('.js')) throw e;
    return next(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const { transform } = await import('@swc/core');
  // Compiled exactly as the tests compile the sources (jest.config.js's SWC options).
  const config = (await import('../../jest.config.js')).default;
  const [, options] = config.transform['^.+\\.ts$'];
  const { code } = await transform(await readFile(new URL(url), 'utf8'), {
    ...options,
    filename: fileURLToPath(url),
  });
  return { format: 'module', source: code, shortCircuit: true };
}
