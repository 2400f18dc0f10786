import type { Area } from './nav';

/** The cases pages of the console. */
export const area: Area = { routes: [], nav: [] };
