import { can, onlyWith, type Area } from './nav';

const APPLICATIONS = ['application:draft', 'application:dept-approve'];

/**
 * The department's daily work (职能部门): its applications (准入审批表) — drafts, attachments, submission with
 * every problem at once, correction after a return — and the funding transfers it must register (费随事转).
 */
export const area: Area = {
  routes: [
    {
      path: 'my-applications',
      name: 'dept-applications',
      component: () => import('../pages/department/ApplicationsPage.vue'),
      meta: { title: '本单位申请' },
      beforeEnter: onlyWith(...APPLICATIONS),
    },
    {
      // One record for a new application (`my-applications/new`) and a saved one: saving the new one moves the
      // address to its id within the same page, whose unsaved-changes guard must stay with it.
      path: 'my-applications/:id',
      name: 'dept-application',
      component: () => import('../pages/department/ApplicationPage.vue'),
      meta: { title: '准入审批表' },
      beforeEnter: onlyWith(...APPLICATIONS),
    },
    {
      path: 'my-funding',
      name: 'dept-funding',
      component: () => import('../pages/department/FundingPage.vue'),
      meta: { title: '经费划转登记' },
      beforeEnter: onlyWith('funding:register'),
    },
  ],
  nav: [
    {
      name: 'dept-applications',
      label: '本单位申请',
      order: 10,
      visible: (u) => APPLICATIONS.some((p) => can(u, p)),
    },
    { name: 'dept-funding', label: '经费划转', order: 11, visible: (u) => can(u, 'funding:register') },
  ],
};
