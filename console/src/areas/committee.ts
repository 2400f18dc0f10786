import CommitteeItemPage from '../pages/committee/CommitteeItemPage.vue';
import ExitProposalsPage from '../pages/committee/ExitProposalsPage.vue';
import MyItemsPage from '../pages/committee/MyItemsPage.vue';
import ItemPage from '../pages/public/ItemPage.vue';
import { can, onlyWith, type Area } from './nav';

/**
 * The committee pages of the console (社区居委会): its community's admitted items, residents' evaluations and exit
 * proposals; and, public without login, each item's page of the register.
 */
export const area: Area = {
  routes: [
    {
      path: 'committee/items',
      name: 'committee-items',
      component: MyItemsPage,
      beforeEnter: onlyWith('evaluation:record'),
      meta: { title: '本社区准入事项' },
    },
    {
      path: 'committee/items/:id',
      name: 'committee-item',
      component: CommitteeItemPage,
      beforeEnter: onlyWith('evaluation:record'),
      meta: { title: '准入事项' },
    },
    {
      path: 'committee/exit-proposals',
      name: 'committee-exits',
      component: ExitProposalsPage,
      beforeEnter: onlyWith('evaluation:record'),
      meta: { title: '退出建议' },
    },
  ],
  publicRoutes: [
    {
      path: '/register/items/:id',
      name: 'register-item',
      component: ItemPage,
      meta: { public: true, title: '准入事项' },
    },
  ],
  nav: [
    {
      name: 'committee-items',
      label: '本社区准入事项',
      order: 40,
      visible: (u) => can(u, 'evaluation:record'),
    },
    { name: 'committee-exits', label: '退出建议', order: 41, visible: (u) => can(u, 'evaluation:record') },
  ],
};
