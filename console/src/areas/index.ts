import { area as admin } from './admin';
import { area as cases } from './cases';
import { area as committee } from './committee';
import { area as department } from './department';
import { area as dispatch } from './dispatch';
import { area as finance } from './finance';
import type { Area, NavEntry } from './nav';
import { area as office } from './office';
import { area as profile } from './profile';
import { area as stampLog } from './stamp-log';
import { area as stampImports } from './stamp-imports';
import { area as stamps } from './stamps';
import { area as stampPublic } from './stamp-public';

/** Every area of the console; router.ts mounts their pages, the layout shows their menu entries. */
export const AREAS: readonly Area[] = [
  department,
  office,
  finance,
  committee,
  stampLog,
  cases,
  admin,
  profile,
  stamps,
  stampImports,
  stampPublic,
  dispatch,
];

export const NAV: readonly NavEntry[] = AREAS.flatMap((a) => a.nav).sort((x, y) => x.order - y.order);
