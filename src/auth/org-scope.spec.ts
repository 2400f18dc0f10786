import type { EntityManager } from 'typeorm';
import { UnitKind } from '../org/org-unit.entity.js';
import { OrgScope, sqlInArea } from './org-scope.js';

/** A manager that records the statements it is asked and answers the rows given. */
function recording(rows: unknown[] = []) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const m = {
    query: (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return Promise.resolve(rows);
    },
  } as unknown as EntityManager;
  return { m, calls };
}

describe('organization scope', () => {
  const scope = new OrgScope();
  const district = '/city/d1/';
  const street = '/city/d1/s1/';
  const community = '/city/d1/s1/c1/';

  it('given a unit below an area, then it is in the area; a sibling whose id shares a prefix is not', () => {
    expect(scope.inArea(community, district)).toBe(true);
    expect(scope.inArea(district, district)).toBe(true);
    expect(scope.inArea('/city/d10/s1/', district)).toBe(false);
    expect(scope.inArea(street, community)).toBe(false);
    expect(scope.inArea(community, undefined)).toBe(false);
  });

  it('given a committee, then it sees its community and its superiors, and no neighbouring community', () => {
    const committee = { scopePath: community, unitPath: community };
    expect(scope.canSee(committee, { path: community })).toBe(true);
    expect(scope.canSee(committee, { path: street })).toBe(true);
    expect(scope.canSee(committee, { path: '/city/' })).toBe(true);
    expect(scope.canSee(committee, { path: '/city/d1/s1/c2/' })).toBe(false);
    // An ancestor is seen, not acted on.
    expect(scope.inScope(committee, { path: street })).toBe(false);
    expect(scope.inScope(committee, { path: community })).toBe(true);
  });

  it('given no area (a unit without a level), when asking the database, then nothing is in it and nothing is asked', async () => {
    const { m, calls } = recording([{ id: 'x' }]);
    expect(await scope.unitInArea(m, 'x', undefined)).toBe(false);
    expect(await scope.communitiesInArea(m, ['x'], undefined)).toEqual([]);
    expect(await scope.communitiesInArea(m, [], district)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('given a unit id and an area, then one query asks for it under the area with the filters asked for', async () => {
    const found = recording([{ '?column?': 1 }]);
    expect(
      await scope.unitInArea(found.m, 'u1', district, { active: true, kinds: [UnitKind.COMMUNITY] }),
    ).toBe(true);
    expect(found.calls).toHaveLength(1);
    expect(found.calls[0].sql).toContain(sqlInArea('path', '$2'));
    expect(found.calls[0].params).toEqual(['u1', district, true, [UnitKind.COMMUNITY]]);
    const missing = recording([]);
    expect(await scope.unitInArea(missing.m, 'u1', district)).toBe(false);
    expect(missing.calls[0].params).toEqual(['u1', district, false, null]);
  });

  it('given the SQL fragments, then they test the path prefix with the expressions given', () => {
    // A byte-order range from the area's path (what it answers on PostgreSQL: test/org-scope-sql.e2e-spec.ts).
    expect(scope.sqlInArea('u.path', ':scope')).toBe(
      `((u.path)::text COLLATE "C" >= (:scope)::text AND (u.path)::text COLLATE "C" < ((:scope)::text || chr(1114111)))`,
    );
    const level = scope.sqlUnitsOfLevel('$2');
    expect(level).toContain(sqlInArea('o.path', '$2'));
    expect(level).toContain("d.kind = 'DISTRICT'");
  });
});
