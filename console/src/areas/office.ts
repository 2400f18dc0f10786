import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router';
import { session } from '../session';
import { can, type Area } from './nav';

/** What the office's pages require (the API's own permission names): the leading-group office holds both. */
const OVERSEE = 'workflow:oversee';
const REGISTRY = 'registry:manage';
/** The work calendar: the office reads it, administrators (workflow:admin) also change it. */
const CALENDAR = [OVERSEE, 'workflow:admin'];

/**
 * A page only users holding one of `permissions` may open: anyone else (a deep link, a bookmark) gets the console's
 * missing page at the same address, as for a page that does not exist (三员分立: no hint of what is there).
 */
function only(permissions: string[]) {
  return (to: RouteLocationNormalized) => {
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

const routes: RouteRecordRaw[] = [
  {
    path: 'office/queue',
    name: 'office-queue',
    component: () => import('../pages/office/QueuePage.vue'),
    meta: { title: '审查队列' },
    beforeEnter: only([OVERSEE]),
  },
  {
    path: 'office/applications/:id',
    name: 'office-application',
    component: () => import('../pages/office/ApplicationPage.vue'),
    meta: { title: '申请审查' },
    beforeEnter: only([OVERSEE]),
  },
  {
    path: 'office/incidents',
    name: 'office-incidents',
    component: () => import('../pages/office/IncidentsPage.vue'),
    meta: { title: '流程异常' },
    beforeEnter: only([OVERSEE]),
  },
  {
    path: 'office/negative-list',
    name: 'office-negative-list',
    component: () => import('../pages/office/NegativeListPage.vue'),
    meta: { title: '负面清单' },
    beforeEnter: only([REGISTRY]),
  },
  {
    path: 'office/calendar',
    name: 'office-calendar',
    component: () => import('../pages/office/CalendarPage.vue'),
    meta: { title: '工作日历' },
    beforeEnter: only(CALENDAR),
  },
];

/** The leading-group office's pages (领导小组办公室): review queue, cases, incidents, negative list, work calendar. */
export const area: Area = {
  routes,
  nav: [
    { name: 'office-queue', label: '审查队列', order: 20, visible: (u) => can(u, OVERSEE) },
    { name: 'office-incidents', label: '流程异常', order: 21, visible: (u) => can(u, OVERSEE) },
    { name: 'office-negative-list', label: '负面清单', order: 22, visible: (u) => can(u, REGISTRY) },
    {
      name: 'office-calendar',
      label: '工作日历',
      order: 23,
      visible: (u) => CALENDAR.some((p) => can(u, p)),
    },
  ],
};
