import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prepared } from '../common/sql.js';

export interface LevelUnits {
  levelId: string | null;
  /** The level's path in the organization tree (its area), read with it. */
  levelPath: string | null;
  groupId: string | null;
  officeId: string | null;
  leaderId: string | null;
}

const NONE: LevelUnits = { levelId: null, levelPath: null, groupId: null, officeId: null, leaderId: null };

/** See levelUnitsOf: looked up for every new task of a flow (candidate groups, escalation). */
const LEVEL_UNITS_SQL = prepared(
  'org_level_units',
  `WITH owner AS (SELECT path FROM org_unit WHERE id = $1),
          lvl AS (SELECT a.id, a.path FROM org_unit a, owner o
                   WHERE a.id = ANY(string_to_array(trim(both '/' from o.path), '/')::uuid[]) AND a.kind IN ('CITY', 'DISTRICT')
                  ORDER BY length(a.path) DESC LIMIT 1),
          grp AS (SELECT g.id, g.principal_leader_id FROM org_unit g, lvl WHERE g.parent_id = lvl.id AND g.kind = 'LEADING_GROUP' AND g.active LIMIT 1)
     SELECT (SELECT id FROM lvl) AS "levelId", (SELECT path FROM lvl) AS "levelPath", (SELECT id FROM grp) AS "groupId",
            (SELECT o.id FROM org_unit o, grp WHERE o.parent_id = grp.id AND o.kind = 'LEADING_GROUP_OFFICE' AND o.active LIMIT 1) AS "officeId",
            (SELECT u.id FROM grp JOIN app_user u ON u.id = grp.principal_leader_id
              WHERE u.active AND u.unit_id = grp.id AND 'LEADER' = ANY(u.roles)) AS "leaderId"`,
);

/**
 * The case owner's level (nearest city/district) and its path, its leading group, the group's active office and its principal
 * leader while that account is active, in the group and holds the LEADER role.
 */
export async function levelUnitsOf(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
  if (!ownerUnitId) return NONE;
  const rows: LevelUnits[] = await m.query(LEVEL_UNITS_SQL, [ownerUnitId]);
  return rows[0];
}

/** See rulingOfficeOf. */
const RULING_OFFICE_SQL = prepared(
  'org_ruling_office',
  `SELECT o.id
     FROM org_unit u
     JOIN org_unit lv ON lv.id = ANY(string_to_array(trim(both '/' from u.path), '/')::uuid[]) AND lv.kind IN ('CITY', 'DISTRICT')
     JOIN org_unit g ON g.parent_id = lv.id AND g.kind = 'LEADING_GROUP' AND g.active
     JOIN org_unit o ON o.parent_id = g.id AND o.kind = 'LEADING_GROUP_OFFICE' AND o.active
    WHERE u.id = $1
    ORDER BY length(lv.path) DESC, o.id LIMIT 1`,
);

/**
 * The leading-group office of the unit's own area: its district's, or — where the district has no active leading
 * group with an active office — the nearest level above that has one (the city's). None: null.
 */
export async function rulingOfficeOf(m: EntityManager, unitId: string): Promise<string | null> {
  const rows: { id: string }[] = await m.query(RULING_OFFICE_SQL, [unitId]);
  return rows[0]?.id ?? null;
}

/**
 * levelUnitsOf as an injectable service, for the candidate groups of new tasks and escalation: looked up
 * fresh each time, inside the step's transaction, so a task opens for the organization as it stands.
 */
@Injectable()
export class LevelUnitsService {
  of(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
    return levelUnitsOf(m, ownerUnitId);
  }

  rulingOffice(m: EntityManager, unitId: string): Promise<string | null> {
    return rulingOfficeOf(m, unitId);
  }

  /**
   * The leading-group office of the level above an office's own (a district office's: the city's), or null at
   * the top. The office's level is its leading group's parent (a city or a district).
   */
  async officeAbove(m: EntityManager, officeId: string): Promise<string | null> {
    const rows: { parent_id: string | null }[] = await m.query(
      `SELECT lv.parent_id FROM org_unit o JOIN org_unit g ON g.id = o.parent_id JOIN org_unit lv ON lv.id = g.parent_id
        WHERE o.id = $1`,
      [officeId],
    );
    const above = rows[0]?.parent_id;
    return above ? rulingOfficeOf(m, above) : null;
  }
}
