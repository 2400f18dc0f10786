import type { Area } from './nav';

/** The admin pages of the console. */
export const area: Area = { routes: [], nav: [] };
