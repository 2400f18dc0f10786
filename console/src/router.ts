import { createRouter, createWebHistory } from 'vue-router';
import { whenUnauthorized } from './api';
import { AREAS, NAV } from './areas';
import { worksCases } from './areas/nav';
import { session } from './session';
import AppLayout from './pages/AppLayout.vue';
import InboxPage from './pages/InboxPage.vue';
import LoginPage from './pages/LoginPage.vue';
import NotFoundPage from './pages/NotFoundPage.vue';
import RegisterPage from './pages/RegisterPage.vue';
import TaskPage from './pages/TaskPage.vue';

/** Where a user lands after login: the inbox for those who work cases, else the first page of their menu. */
function homeOf(): { name: string } {
  const user = session.user;
  if (!user || worksCases(user)) return { name: 'inbox' };
  return { name: NAV.find((entry) => entry.visible(user))?.name ?? 'profile' };
}

/** The console's pages under /console/ (the server answers index.html for every path under it). */
export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: '登录' } },
    {
      path: '/register',
      name: 'register',
      component: RegisterPage,
      meta: { public: true, title: '准入事项公开名录' },
    },
    ...AREAS.flatMap((a) => a.publicRoutes ?? []),
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', name: 'home', redirect: () => homeOf() },
        {
          path: 'inbox',
          name: 'inbox',
          component: InboxPage,
          meta: { title: '待办' },
          // The three administrators have no inbox: their home is their first page.
          beforeEnter: () => (session.user && !worksCases(session.user) ? homeOf() : true),
        },
        { path: 'tasks/:id', name: 'task', component: TaskPage, meta: { title: '办理' } },
        ...AREAS.flatMap((a) => a.routes),
      ],
    },
    {
      path: '/:rest(.*)*',
      name: 'not-found',
      component: NotFoundPage,
      meta: { public: true, title: '页面不存在' },
    },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !session.token) return { name: 'login', query: { redirect: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  const title = typeof to.meta.title === 'string' ? to.meta.title : '';
  document.title = `${title ? `${title} · ` : ''}社区工作准入`;
});

// An expired or revoked session: back to login, then back to where the user was.
whenUnauthorized((message) => {
  const here = router.currentRoute.value;
  if (here.name === 'login') return;
  // The reason travels in memory, not in the address: a link cannot put words on the login page.
  session.notice = message;
  void router.push({ name: 'login', query: { redirect: here.fullPath } });
});
