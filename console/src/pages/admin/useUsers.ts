/** The list of accounts both the system and the security administrator page through (`GET /admin/users`). */
import { computed, ref } from 'vue';
import { latest } from '../../api';
import { chineseDateTime } from '../../format';
import { messageOf, ROLE_NAMES } from './labels';
import { flatten, listUsers, loadTree, type UnitNode, type UserRow } from './org';

export const PAGE_SIZE = 20;

export function useUsers() {
  const rows = ref<UserRow[]>([]);
  const total = ref(0);
  const page = ref(1);
  const q = ref('');
  const loading = ref(false);
  const error = ref('');
  const tree = ref<UnitNode[]>([]);
  const units = computed(() => flatten(tree.value));

  const loads = latest();

  async function load(): Promise<void> {
    const current = loads();
    loading.value = true;
    error.value = '';
    try {
      if (!tree.value.length) tree.value = await loadTree();
      const res = await listUsers({ page: page.value, pageSize: PAGE_SIZE, q: q.value.trim() || undefined });
      if (!current()) return; // another search or page asked meanwhile
      rows.value = res.items;
      total.value = res.total;
    } catch (e) {
      if (current()) error.value = messageOf(e);
    } finally {
      if (current()) loading.value = false;
    }
  }

  async function search(): Promise<void> {
    page.value = 1;
    await load();
  }

  function unitName(id: string): string {
    return units.value.find((u) => u.unit.id === id)?.label ?? '—';
  }

  return { rows, total, page, q, loading, error, tree, units, load, search, unitName };
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
