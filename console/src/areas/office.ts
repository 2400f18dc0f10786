import type { Area } from './nav';

/** The office pages of the console. */
export const area: Area = { routes: [], nav: [] };
