import FundingDuesPage from '../pages/finance/FundingDuesPage.vue';
import FundingTransfersPage from '../pages/finance/FundingTransfersPage.vue';
import { can, onlyWith, type Area } from './nav';

/** The finance pages of the console (财政, 费随事转): transfers waiting for confirmation, and the funding owed. */
export const area: Area = {
  routes: [
    {
      path: 'finance/transfers',
      name: 'finance-transfers',
      component: FundingTransfersPage,
      beforeEnter: onlyWith('funding:confirm'),
      meta: { title: '经费到账确认' },
    },
    {
      path: 'finance/dues',
      name: 'finance-dues',
      component: FundingDuesPage,
      beforeEnter: onlyWith('funding:confirm'),
      meta: { title: '经费应拨情况' },
    },
  ],
  nav: [
    {
      name: 'finance-transfers',
      label: '经费到账确认',
      order: 30,
      visible: (u) => can(u, 'funding:confirm'),
    },
    { name: 'finance-dues', label: '经费应拨情况', order: 31, visible: (u) => can(u, 'funding:confirm') },
  ],
};
