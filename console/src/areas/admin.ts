import type { NavigationGuard } from 'vue-router';
import { session } from '../session';
import { can, type Area } from './nav';

/**
 * A page only the holders of `permission` may open (三员分立): anyone else following a link to it gets the same
 * page as a missing one, at the same address.
 */
export function only(permission: string): NavigationGuard {
  return (to) =>
    session.user && can(session.user, permission)
      ? true
      : {
          name: 'not-found',
          params: { rest: to.path.split('/').filter(Boolean) },
          query: to.query,
          hash: to.hash,
          replace: true,
        };
}

/**
 * The administrators' pages, each for one of the three (三员分立): units, leading groups and accounts for the
 * system administrator; roles, unlocking and password resets for the security administrator; the audit trail
 * for the auditor.
 */
export const area: Area = {
  routes: [
    {
      path: 'admin/units',
      name: 'admin-units',
      component: () => import('../pages/admin/UnitsPage.vue'),
      meta: { title: '单位管理' },
      beforeEnter: only('unit:manage'),
    },
    {
      path: 'admin/leading-groups/:id',
      name: 'admin-leading-group',
      component: () => import('../pages/admin/LeadingGroupPage.vue'),
      meta: { title: '领导小组' },
      beforeEnter: only('unit:manage'),
    },
    {
      path: 'admin/users',
      name: 'admin-users',
      component: () => import('../pages/admin/UsersPage.vue'),
      meta: { title: '用户管理' },
      beforeEnter: only('user:manage'),
    },
    {
      path: 'admin/accounts',
      name: 'admin-accounts',
      component: () => import('../pages/admin/AccountsPage.vue'),
      meta: { title: '角色与账号安全' },
      beforeEnter: only('role:assign'),
    },
    {
      path: 'admin/audit',
      name: 'admin-audit',
      component: () => import('../pages/admin/AuditPage.vue'),
      meta: { title: '审计日志' },
      beforeEnter: only('audit:read'),
    },
  ],
  nav: [
    { name: 'admin-units', label: '单位管理', order: 900, visible: (u) => can(u, 'unit:manage') },
    { name: 'admin-users', label: '用户管理', order: 910, visible: (u) => can(u, 'user:manage') },
    { name: 'admin-accounts', label: '角色与账号安全', order: 920, visible: (u) => can(u, 'role:assign') },
    { name: 'admin-audit', label: '审计日志', order: 930, visible: (u) => can(u, 'audit:read') },
  ],
};
