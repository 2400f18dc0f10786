import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Role } from '../auth/permissions.js';
import { prepared } from '../common/sql.js';
import { WorkflowRegistry, type GroupContext } from '../workflow/workflow.registry.js';

interface LevelUnits {
  levelId: string | null;
  groupId: string | null;
  officeId: string | null;
  leaderId: string | null;
}

/**
 * Resolves the candidate groups that BPMN user tasks name (camunda:candidateGroups) against the organization
 * tree, from the unit that owns the case (e.g. the applicant's department). A department applies to the
 * leading group of its own level (同级): the nearest city or district above it.
 */
@Injectable()
export class WorkflowGroups implements OnModuleInit {
  constructor(private readonly registry: WorkflowRegistry) {}

  onModuleInit(): void {
    const r = this.registry;
    r.registerGroup('office', async (ctx) => {
      const l = await levelUnits(ctx);
      return { unitIds: l.officeId ? [l.officeId] : [], roles: [Role.OFFICE] };
    });
    r.registerGroup('leader', async (ctx) => {
      const l = await levelUnits(ctx);
      return { userIds: l.leaderId ? [l.leaderId] : [] };
    });
    r.registerGroup('members', async (ctx) => {
      if (typeof ctx.loopItem === 'string') return { unitIds: [ctx.loopItem], roles: [Role.MEMBER] };
      const l = await levelUnits(ctx);
      const rows: { unit_id: string }[] = l.groupId
        ? await ctx.manager.query('SELECT unit_id FROM leading_group_member WHERE group_id = $1', [l.groupId])
        : [];
      return { unitIds: rows.map((x) => x.unit_id), roles: [Role.MEMBER] };
    });
    r.registerGroup('dept-head', async (ctx) => ({
      unitIds: ctx.instance.ownerUnitId ? [ctx.instance.ownerUnitId] : [],
      roles: [Role.DEPT_HEAD],
    }));
    r.registerGroup('applicant-unit', async (ctx) => ({
      unitIds: ctx.instance.ownerUnitId ? [ctx.instance.ownerUnitId] : [],
      roles: [Role.DEPT_STAFF],
    }));
    r.registerGroup('applicant', async (ctx) => ({
      userIds: ctx.instance.startedBy ? [ctx.instance.startedBy] : [],
    }));
    r.registerGroup('finance', async (ctx) => {
      const l = await levelUnits(ctx);
      const rows: { id: string }[] = l.levelId
        ? await ctx.manager.query(
            `SELECT f.id FROM org_unit f JOIN org_unit lv ON lv.id = $1 WHERE f.kind = 'FINANCE' AND f.active AND starts_with(f.path, lv.path)`,
            [l.levelId],
          )
        : [];
      return { unitIds: rows.map((x) => x.id), roles: [Role.FINANCE] };
    });
    r.registerEscalation(async (ctx) => {
      const l = await levelUnits(ctx);
      return { unitIds: l.officeId ? [l.officeId] : [] };
    });
  }
}

/** See levelUnitsOf: looked up for every new task of a flow (candidate groups, escalation). */
const LEVEL_UNITS_SQL = prepared(
  'org_level_units',
  `WITH owner AS (SELECT path FROM org_unit WHERE id = $1),
          lvl AS (SELECT a.id FROM org_unit a, owner o
                   WHERE a.id = ANY(string_to_array(trim(both '/' from o.path), '/')::uuid[]) AND a.kind IN ('CITY', 'DISTRICT')
                  ORDER BY length(a.path) DESC LIMIT 1),
          grp AS (SELECT g.id, g.principal_leader_id FROM org_unit g, lvl WHERE g.parent_id = lvl.id AND g.kind = 'LEADING_GROUP' AND g.active LIMIT 1)
     SELECT (SELECT id FROM lvl) AS "levelId", (SELECT id FROM grp) AS "groupId",
            (SELECT o.id FROM org_unit o, grp WHERE o.parent_id = grp.id AND o.kind = 'LEADING_GROUP_OFFICE' LIMIT 1) AS "officeId",
            (SELECT principal_leader_id FROM grp) AS "leaderId"`,
);

/** The case owner's level (nearest city/district), its leading group, the group's office and principal leader. */
export async function levelUnitsOf(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
  if (!ownerUnitId) return { levelId: null, groupId: null, officeId: null, leaderId: null };
  const rows: LevelUnits[] = await m.query(LEVEL_UNITS_SQL, [ownerUnitId]);
  return rows[0];
}

function levelUnits(ctx: GroupContext): Promise<LevelUnits> {
  return levelUnitsOf(ctx.manager, ctx.instance.ownerUnitId);
}
