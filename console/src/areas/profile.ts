import type { Area } from './nav';

/** The profile pages of the console. */
export const area: Area = { routes: [], nav: [] };
