import { can, onlyWith, type Area } from './nav';

/**
 * Dispatched work (派单, issue 14): the department's dispatch form with each community's coverage before sending
 * and its dispatches with their refusals; the committee's received-work inbox with one-click refusal; the
 * contested refusals (拒绝争议) the street office and the district office work, and the department and the
 * committee follow.
 */
export const area: Area = {
  routes: [
    {
      path: 'dispatches',
      name: 'dispatches',
      component: () => import('../pages/dispatch/DispatchesPage.vue'),
      meta: { title: '我的派单' },
      beforeEnter: onlyWith('dispatch:send'),
    },
    {
      path: 'dispatches/new',
      name: 'dispatch-new',
      component: () => import('../pages/dispatch/DispatchFormPage.vue'),
      meta: { title: '派单' },
      beforeEnter: onlyWith('dispatch:send'),
    },
    {
      path: 'received-work',
      name: 'received-work',
      component: () => import('../pages/dispatch/ReceivedWorkPage.vue'),
      meta: { title: '收到的工作' },
      beforeEnter: onlyWith('dispatch:respond'),
    },
    {
      path: 'disputes',
      name: 'disputes',
      component: () => import('../pages/dispatch/DisputesPage.vue'),
      meta: { title: '拒绝争议' },
      beforeEnter: onlyWith('dispute:read'),
    },
  ],
  nav: [
    { name: 'dispatches', label: '我的派单', order: 12, visible: (u) => can(u, 'dispatch:send') },
    { name: 'received-work', label: '收到的工作', order: 39, visible: (u) => can(u, 'dispatch:respond') },
    { name: 'disputes', label: '拒绝争议', order: 43, visible: (u) => can(u, 'dispute:read') },
  ],
};
