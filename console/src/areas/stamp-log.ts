import StampLogPage from '../pages/committee/StampLogPage.vue';
import StampLogCountsPage from '../pages/stamps/StampLogCountsPage.vue';
import { can, onlyWith, type Area } from './nav';

/** Who reads the counts: the street and the district (burden:read) and the auditor (audit:read), as the API. */
const OVERSEERS = ['burden:read', 'audit:read'];

/**
 * The committee's stamp log (用印登记: record, check against the registry as the clerk types, void; the roster of
 * members who may stamp) and, for the street, the district and the auditor, the counts per community and
 * certificate (用印统计).
 */
export const area: Area = {
  routes: [
    {
      path: 'committee/stamp-log',
      name: 'committee-stamp-log',
      component: StampLogPage,
      beforeEnter: onlyWith('dispatch:respond'),
      meta: { title: '用印登记' },
    },
    {
      path: 'stamps/stamp-log-counts',
      name: 'stamp-log-counts',
      component: StampLogCountsPage,
      beforeEnter: onlyWith(...OVERSEERS),
      meta: { title: '用印统计' },
    },
  ],
  nav: [
    {
      name: 'committee-stamp-log',
      label: '用印登记',
      order: 42,
      visible: (u) => can(u, 'dispatch:respond'),
    },
    {
      name: 'stamp-log-counts',
      label: '用印统计',
      order: 50,
      visible: (u) => OVERSEERS.some((p) => can(u, p)),
    },
  ],
};
