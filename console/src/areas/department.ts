import type { Area } from './nav';

/** The department pages of the console. */
export const area: Area = { routes: [], nav: [] };
