import type { RouteRecordRaw } from 'vue-router';
import type { SessionUser } from '../session';

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
