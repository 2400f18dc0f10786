import type { RouteRecordRaw } from 'vue-router';
import { can, onlyWith, type Area } from './nav';

/** Proposing changes to the stamp registry: the leading-group office (the API's registry:manage). */
const REGISTRY = 'registry:manage';

const routes: RouteRecordRaw[] = [
  {
    path: 'stamps/imports',
    name: 'stamp-imports',
    component: () => import('../pages/stamps/ImportPage.vue'),
    meta: { title: '导入清单' },
    beforeEnter: onlyWith(REGISTRY),
  },
];

/** Importing stamp lists (盖章证明事项清单) from CSV/XLSX: the dry run's per-row report and 提交审批. */
export const area: Area = {
  routes,
  nav: [{ name: 'stamp-imports', label: '导入清单', order: 53, visible: (u) => can(u, REGISTRY) }],
};
