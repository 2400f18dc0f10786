import type { RouteRecordRaw } from 'vue-router';
import { can, onlyWith, worksCases, type Area } from './nav';

/** Proposing changes: the leading-group office; reading proposals: the office and the principal leader. */
const PROPOSE = 'registry:manage';
const READ = 'stamp-proposal:read';

const routes: RouteRecordRaw[] = [
  {
    path: 'stamps/lists',
    name: 'stamps-lists',
    component: () => import('../pages/stamps/StampListsPage.vue'),
    meta: { title: '盖章证明事项清单' },
  },
  {
    path: 'stamps/lists/:listKey',
    name: 'stamps-list',
    component: () => import('../pages/stamps/StampListPage.vue'),
    meta: { title: '盖章证明事项清单' },
  },
  {
    path: 'stamps/propose',
    name: 'stamps-propose',
    component: () => import('../pages/stamps/ProposeStampChangePage.vue'),
    meta: { title: '提出清单调整' },
    beforeEnter: onlyWith(PROPOSE),
  },
  {
    path: 'stamps/proposals',
    name: 'stamps-proposals',
    component: () => import('../pages/stamps/StampProposalsPage.vue'),
    meta: { title: '清单调整记录' },
    beforeEnter: onlyWith(READ),
  },
  {
    path: 'stamps/proposals/:id',
    name: 'stamps-proposal',
    component: () => import('../pages/stamps/StampProposalPage.vue'),
    meta: { title: '清单调整' },
    beforeEnter: onlyWith(READ),
  },
];

/** The stamp registry's pages (盖章证明事项清单): the lists (everyone who works cases), proposing changes, the proposals. */
export const area: Area = {
  routes,
  nav: [
    // Every user who works cases (三员分立: the administrators' console is their own pages only).
    { name: 'stamps-lists', label: '盖章证明事项清单', order: 50, visible: worksCases },
    { name: 'stamps-propose', label: '提出清单调整', order: 51, visible: (u) => can(u, PROPOSE) },
    { name: 'stamps-proposals', label: '清单调整记录', order: 52, visible: (u) => can(u, READ) },
  ],
};
