import type { RouteRecordRaw } from 'vue-router';
import { can, onlyWith, type Area } from './nav';

/** What the office's pages require (the API's own permission names): the leading-group office holds both. */
const OVERSEE = 'workflow:oversee';
const REGISTRY = 'registry:manage';
/** The work calendar: the office reads it, administrators (workflow:admin) also change it. */
const CALENDAR = [OVERSEE, 'workflow:admin'];

const routes: RouteRecordRaw[] = [
  {
    path: 'office/queue',
    name: 'office-queue',
    component: () => import('../pages/office/QueuePage.vue'),
    meta: { title: '审查队列' },
    beforeEnter: onlyWith(OVERSEE),
  },
  {
    path: 'office/applications/:id',
    name: 'office-application',
    component: () => import('../pages/office/ApplicationPage.vue'),
    meta: { title: '申请审查' },
    beforeEnter: onlyWith(OVERSEE),
  },
  {
    path: 'office/incidents',
    name: 'office-incidents',
    component: () => import('../pages/office/IncidentsPage.vue'),
    meta: { title: '流程异常' },
    beforeEnter: onlyWith(OVERSEE),
  },
  {
    path: 'office/negative-list',
    name: 'office-negative-list',
    component: () => import('../pages/office/NegativeListPage.vue'),
    meta: { title: '负面清单' },
    beforeEnter: onlyWith(REGISTRY),
  },
  {
    path: 'office/calendar',
    name: 'office-calendar',
    component: () => import('../pages/office/CalendarPage.vue'),
    meta: { title: '工作日历' },
    beforeEnter: onlyWith(...CALENDAR),
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
