import StampCheckPage from '../pages/stamp-public/StampCheckPage.vue';
import type { Area } from './nav';

/**
 * The public stamp registry page (盖章证明事项查询): anyone, without login and on a phone, asks whether a
 * community committee may stamp a certificate, and searches the lists.
 */
export const area: Area = {
  routes: [],
  publicRoutes: [
    {
      path: '/stamps/check',
      name: 'stamp-check',
      component: StampCheckPage,
      meta: { public: true, title: '盖章证明事项查询' },
    },
  ],
  nav: [],
};
