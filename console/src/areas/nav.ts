import type { NavigationGuard, RouteRecordRaw } from 'vue-router';
import { session, type SessionUser } from '../session';

/** One entry of the top menu: shown only to the users `visible` accepts (三员分立: each role its own pages). */
export interface NavEntry {
  /** The route's name. */
  name: string;
  label: string;
  /** Smaller first. */
  order: number;
  visible: (user: SessionUser) => boolean;
}

/** What one area of the console adds: pages inside the logged-in layout, public pages, and menu entries. */
export interface Area {
  routes: RouteRecordRaw[];
  publicRoutes?: RouteRecordRaw[];
  nav: NavEntry[];
}

/** The user holds this permission (the API's own names, as `POST /auth/login` answered them). */
export function can(user: SessionUser, permission: string): boolean {
  return user.permissions.includes(permission);
}

/** The three administrators (三员分立) hold no workflow tasks: their console is their own pages only. */
const ADMINISTRATORS = ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDITOR'];

/** The user works cases (has an inbox): any role but the three administrators'. */
export function worksCases(user: SessionUser): boolean {
  return user.roles.some((r) => !ADMINISTRATORS.includes(r));
}

/**
 * A page only users holding one of `permissions` may open: anyone else following a link to it (a bookmark, a
 * colleague's link) gets the console's missing page at the same address — no hint of what is there.
 */
export function onlyWith(...permissions: string[]): NavigationGuard {
  return (to) => {
    const user = session.user;
    if (user && permissions.some((p) => can(user, p))) return true;
    return {
      name: 'not-found',
      params: { rest: to.path.split('/').filter(Boolean) },
      query: to.query,
      hash: to.hash,
      replace: true,
    };
  };
}
