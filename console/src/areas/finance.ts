import type { Area } from './nav';

/** The finance pages of the console. */
export const area: Area = { routes: [], nav: [] };
