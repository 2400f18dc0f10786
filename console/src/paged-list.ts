import { reactive, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api, errorText, latest, type Page } from './api';

/**
 * A list page of one API list route: the filters and the page live in the address (a reload or a shared link
 * shows the same list), the newest load wins (a slower older answer never overwrites a newer one), and the API's
 * message shows when a load fails. `filter` is the main filter: `defaultValue` is its value when the address names
 * none; the address then says `all` for no filter. `shown` is the value the rows on screen were read with (the
 * input may already hold another, not yet asked). `filters` names further query parameters (e.g. a day range and
 * a name typed): each is empty unless the address names it, and is sent trimmed, an empty one left out. Without
 * either the list is paged only.
 */
export function usePagedList<T>(options: {
  path: string;
  filter?: string;
  defaultValue?: string;
  filters?: string[];
  pageSize?: number;
}) {
  const route = useRoute();
  const router = useRouter();
  const routeName = route.name;
  const pageSize = options.pageSize ?? 20;
  const fallback = options.defaultValue ?? '';
  const filter = ref(fallback);
  const shown = ref(fallback);
  const more = options.filters ?? [];
  // A cleared input (a date picker, a select) may set null: read as empty.
  const filters = reactive<Record<string, string | null>>(Object.fromEntries(more.map((k) => [k, ''])));
  const valueOf = (k: string) => (filters[k] ?? '').trim() || undefined;
  const rows = ref<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const loading = ref(false);
  const error = ref('');
  const loads = latest();

  async function load(): Promise<void> {
    const current = loads();
    const value = filter.value;
    loading.value = true;
    error.value = '';
    try {
      const query: Record<string, string | number | undefined> = { page: page.value, pageSize };
      if (options.filter) query[options.filter] = value || undefined;
      for (const k of more) query[k] = valueOf(k);
      const res = await api<Page<T>>('GET', options.path, { query });
      if (!current()) return; // a newer load (another filter or page) answers instead
      shown.value = value;
      rows.value = res.items;
      total.value = res.total;
    } catch (e) {
      if (current()) error.value = errorText(e);
    } finally {
      if (current()) loading.value = false;
    }
  }

  /** Shows page `toPage` of the list with the filter as it is now; the same address reads the list again. */
  function go(toPage = 1): void {
    const query: Record<string, string | undefined> = { page: toPage > 1 ? String(toPage) : undefined };
    if (options.filter) query[options.filter] = filter.value || (fallback ? 'all' : undefined);
    for (const k of more) query[k] = valueOf(k);
    const now = route.query;
    if (Object.entries(query).every(([k, v]) => (now[k] ?? undefined) === v)) {
      void load();
      return;
    }
    void router.replace({ name: routeName ?? undefined, query });
  }

  watch(
    () => route.query,
    () => {
      if (route.name !== routeName) return;
      if (options.filter) {
        const q = route.query[options.filter];
        filter.value = typeof q === 'string' ? (q === 'all' ? '' : q) : fallback;
      }
      for (const k of more) {
        const q = route.query[k];
        filters[k] = typeof q === 'string' ? q : '';
      }
      const p = route.query.page;
      page.value = typeof p === 'string' && Number(p) > 0 ? Number(p) : 1;
      void load();
    },
    { immediate: true },
  );

  return { filter, shown, filters, rows, total, page, loading, error, load, go, pageSize };
}
