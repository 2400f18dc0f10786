import type { Area } from './nav';

/**
 * The cases pages of the console: a case's live diagram (its own definition version, each step's state) and
 * its timeline, at /console/cases/:instanceId. Reached by link (from a task); no menu entry. The page and
 * bpmn-js load only when it is opened (a chunk of their own).
 */
export const area: Area = {
  routes: [
    {
      path: 'cases/:instanceId',
      name: 'case',
      component: () => import('../pages/cases/CasePage.vue'),
      meta: { title: '案件进度' },
    },
  ],
  nav: [],
};
