import type { Area } from './nav';

/** My profile: who I am, and changing my own password (every logged-in user). */
export const area: Area = {
  routes: [
    {
      path: 'profile',
      name: 'profile',
      component: () => import('../pages/profile/ProfilePage.vue'),
      meta: { title: '个人信息' },
    },
  ],
  nav: [{ name: 'profile', label: '个人信息', order: 1000, visible: () => true }],
};
