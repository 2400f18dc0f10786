/** The organization as the administrators' pages read it: `GET /org/tree`, `GET /admin/users`. */
import { api, type Page } from '../../api';

/** `UnitTreeNodeDto`. */
export interface UnitNode {
  id: string;
  code: string;
  name: string;
  kind: string;
  parentId: string | null;
  active: boolean;
  principalLeaderId: string | null;
  version: number;
  children: UnitNode[];
}

/** `UserDto`. */
export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  roles: string[];
  active: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  version: number;
}

/** A unit with the names of the units above it: 示范市 / 东湖区 / 东华街道. */
export interface UnitOption {
  unit: UnitNode;
  /** The whole path of names, for choosing a unit by typing. */
  label: string;
  /** The ids from the root down to this unit. */
  path: string[];
}

export function loadTree(): Promise<UnitNode[]> {
  return api<UnitNode[]>('GET', '/org/tree');
}

/** Every unit of the tree, depth first, with its path of names. */
export function flatten(tree: UnitNode[]): UnitOption[] {
  const out: UnitOption[] = [];
  const walk = (nodes: UnitNode[], names: string[], ids: string[]) => {
    for (const n of nodes) {
      const label = [...names, n.name].join(' / ');
      out.push({ unit: n, label, path: [...ids, n.id] });
      walk(n.children ?? [], [...names, n.name], [...ids, n.id]);
    }
  };
  walk(tree, [], []);
  return out;
}

export function listUsers(query: {
  page: number;
  pageSize: number;
  q?: string;
  unitId?: string;
}): Promise<Page<UserRow>> {
  return api<Page<UserRow>>('GET', '/admin/users', { query });
}
