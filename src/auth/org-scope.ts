import { Injectable } from '@nestjs/common';
import { Brackets, type EntityManager, type WhereExpressionBuilder } from 'typeorm';
import type { Principal } from '../common/actor.js';
import type { UnitKind } from '../org/org-unit.entity.js';

/**
 * The one answer to "may this unit or principal see or act on that object" (issue 10, CONVENTIONS "one answer
 * per question"). Every unit has a materialized `path` ('/<city>/<district>/<street>/…/', the ids from the
 * root); an **area** is a unit's subtree, named by that unit's path, and a unit lies in an area when its path
 * starts with the area's path. A principal's scope (`scopePath`) is such an area: what they may see and act
 * on. A caller that finds an object outside the area answers exactly as for a missing one.
 *
 * Queries run in the caller's manager (and so in its transaction). An area that is `undefined` (a unit with
 * no level, say) contains nothing.
 */
@Injectable()
export class OrgScope {
  /** Whether a unit path lies in an area (no query). */
  inArea(unitPath: string, areaPath: string | undefined): boolean {
    return areaPath !== undefined && unitPath.startsWith(areaPath);
  }

  /** Whether the unit lies in the principal's scope: they may act on it and on what belongs to it. */
  inScope(p: Pick<Principal, 'scopePath'>, unit: { path: string }): boolean {
    return this.inArea(unit.path, p.scopePath);
  }

  /**
   * Whether the principal may see the unit in the organization's pages: it lies in their scope, or it is one of
   * their own unit's ancestors (their street, district, city).
   */
  canSee(p: Pick<Principal, 'scopePath' | 'unitPath'>, unit: { path: string }): boolean {
    return this.inArea(unit.path, p.scopePath) || p.unitPath.startsWith(unit.path);
  }

  /**
   * Whether the unit with this id lies in the area; with `active`, only while it is active; with `kinds`, only a
   * unit of one of these kinds. A missing unit is in no area.
   */
  async unitInArea(
    m: EntityManager,
    unitId: string,
    areaPath: string | undefined,
    only: { active?: boolean; kinds?: readonly UnitKind[] } = {},
  ): Promise<boolean> {
    if (areaPath === undefined) return false;
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM org_unit WHERE id = $1 AND ${sqlInArea('path', '$2')}
          AND ($3::boolean IS NOT TRUE OR active) AND ($4::text[] IS NULL OR kind = ANY($4::text[]))`,
      [unitId, areaPath, only.active ?? false, only.kinds ?? null],
    );
    return rows.length > 0;
  }

  /** Which of these ids are active communities in the area (the others — missing, inactive, elsewhere — are left out). */
  async communitiesInArea(m: EntityManager, ids: string[], areaPath: string | undefined): Promise<string[]> {
    if (areaPath === undefined || !ids.length) return [];
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM org_unit WHERE id = ANY($1::uuid[]) AND kind = 'COMMUNITY' AND active AND ${sqlInArea('path', '$2')}`,
      [ids, areaPath],
    );
    return rows.map((r) => r.id);
  }

  /** The active communities in the area of a unit (a street, a district, a city); none for a missing unit. */
  async communitiesUnder(m: EntityManager, unitId: string): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT c.id FROM org_unit c JOIN org_unit t ON t.id = $1
        WHERE c.kind = 'COMMUNITY' AND c.active AND ${sqlInArea('c.path', 't.path')}`,
      [unitId],
    );
    return rows.map((r) => r.id);
  }

  /** The paths of the levels of these units: each unit's nearest city or district (itself if it is one). */
  async levelPaths(m: EntityManager, unitIds: string[]): Promise<string[]> {
    const rows: { path: string }[] = await m.query(
      `SELECT DISTINCT lv.path FROM org_unit u
         CROSS JOIN LATERAL (SELECT a.path FROM org_unit a WHERE a.kind IN ('CITY', 'DISTRICT') AND ${sqlInArea('u.path', 'a.path')}
                              ORDER BY length(a.path) DESC LIMIT 1) lv
        WHERE u.id = ANY($1::uuid[])`,
      [unitIds],
    );
    return rows.map((r) => r.path);
  }

  /** A SQL condition: the unit path `pathExpr` lies in the area `areaExpr` (a column, `$n` or `:name`). */
  sqlInArea(pathExpr: string, areaExpr: string): string {
    return sqlInArea(pathExpr, areaExpr);
  }

  /**
   * A SQL subquery of the ids of the units of a level (`levelExpr`, a city's or district's path): the units in
   * its area but not in the area of a district below it. Cases owned by these units are the level's.
   */
  sqlUnitsOfLevel(levelExpr: string): string {
    return `SELECT o.id FROM org_unit o WHERE ${sqlInArea('o.path', levelExpr)}
               AND NOT EXISTS (SELECT 1 FROM org_unit d WHERE d.kind = 'DISTRICT' AND d.path <> ${levelExpr}
                                  AND ${sqlInArea('d.path', levelExpr)} AND ${sqlInArea('o.path', 'd.path')})`;
  }

  /**
   * For a query builder over units aliased `alias`: what `canSee` admits (the principal's scope and their own
   * unit's ancestors), as one bracketed condition.
   */
  whereVisible(p: Pick<Principal, 'scopePath' | 'unitPath'>, alias: string): Brackets {
    return new Brackets((w: WhereExpressionBuilder) =>
      w
        .where(sqlInArea(`${alias}.path`, ':scope'), { scope: p.scopePath })
        .orWhere(sqlInArea(':own', `${alias}.path`), { own: p.unitPath }),
    );
  }
}

/**
 * A SQL condition: the unit path `pathExpr` lies in the area `areaExpr` (a column, `$n` or `:name`), i.e. starts
 * with it. Written as a range in byte order (the paths that start with P are those from P up to P followed by the
 * highest character, which no path holds), so that an index of the paths in that order
 * (`ix_org_unit_path_prefix`, migration 1797300700000) finds an area's units instead of reading every unit —
 * also in a prepared statement's generic plan, where `starts_with` or `LIKE` could not. NULL on either side: false.
 */
export function sqlInArea(pathExpr: string, areaExpr: string): string {
  const path = `(${pathExpr})::text COLLATE "C"`;
  return `(${path} >= (${areaExpr})::text AND ${path} < ((${areaExpr})::text || chr(1114111)))`;
}
