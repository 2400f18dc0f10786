/** The list of accounts both the system and the security administrator page through (`GET /admin/users`). */
import { computed, ref } from 'vue';
import { chineseDateTime } from '../../format';
import { usePagedList } from '../../paged-list';
import { messageOf, ROLE_NAMES } from './labels';
import { flatten, loadTree, type UnitNode, type UserRow } from './org';

export const PAGE_SIZE = 20;

/**
 * The accounts a page at a time, searched by `q` (username or name): the search and the page live in the address
 * (usePagedList); the unit tree gives each account its unit's name.
 */
export function useUsers() {
  const list = usePagedList<UserRow>({ path: '/admin/users', filter: 'q', pageSize: PAGE_SIZE });
  const tree = ref<UnitNode[]>([]);
  const units = computed(() => flatten(tree.value));

  loadTree().then(
    (t) => (tree.value = t),
    (e: unknown) => (list.error.value = messageOf(e)),
  );

  /** The first page of what the search box says now. */
  function search(): void {
    list.filter.value = (list.filter.value ?? '').trim();
    list.go(1);
  }

  function unitName(id: string): string {
    return units.value.find((u) => u.unit.id === id)?.label ?? '—';
  }

  return { ...list, q: list.filter, tree, units, search, unitName };
}

export function roleNames(roles: string[]): string {
  return roles.length ? roles.map((r) => ROLE_NAMES[r] ?? r).join('、') : '未授予角色';
}

/** 停用 / 锁定至… / 正常. */
export function accountState(row: unknown): string {
  const u = row as UserRow;
  if (!u.active) return '已停用';
  if (u.lockedUntil) return `已锁定（至 ${chineseDateTime(u.lockedUntil)}）`;
  return '正常';
}
