import { can, onlyWith, type Area } from './nav';

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
      beforeEnter: onlyWith('unit:manage'),
    },
    {
      path: 'admin/leading-groups/:id',
      name: 'admin-leading-group',
      component: () => import('../pages/admin/LeadingGroupPage.vue'),
      meta: { title: '领导小组' },
      beforeEnter: onlyWith('unit:manage'),
    },
    {
      path: 'admin/users',
      name: 'admin-users',
      component: () => import('../pages/admin/UsersPage.vue'),
      meta: { title: '用户管理' },
      beforeEnter: onlyWith('user:manage'),
    },
    {
      path: 'admin/accounts',
      name: 'admin-accounts',
      component: () => import('../pages/admin/AccountsPage.vue'),
      meta: { title: '角色与账号安全' },
      beforeEnter: onlyWith('role:assign'),
    },
    {
      path: 'admin/audit',
      name: 'admin-audit',
      component: () => import('../pages/admin/AuditPage.vue'),
      meta: { title: '审计日志' },
      beforeEnter: onlyWith('audit:read'),
    },
  ],
  // First in the menu: an administrator lands on its first page (it has no inbox).
  nav: [
    { name: 'admin-units', label: '单位管理', order: 1, visible: (u) => can(u, 'unit:manage') },
    { name: 'admin-users', label: '用户管理', order: 2, visible: (u) => can(u, 'user:manage') },
    { name: 'admin-accounts', label: '角色与账号安全', order: 3, visible: (u) => can(u, 'role:assign') },
    { name: 'admin-audit', label: '审计日志', order: 4, visible: (u) => can(u, 'audit:read') },
  ],
};
