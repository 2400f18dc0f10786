import type { Area } from './nav';

/** The committee pages of the console. */
export const area: Area = { routes: [], nav: [] };
