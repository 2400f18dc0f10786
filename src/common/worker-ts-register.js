/** Loaded with --import in a worker thread started from TypeScript source: registers worker-ts-hooks.js. */
import { register } from 'node:module';

register('./worker-ts-hooks.js', import.meta.url);
