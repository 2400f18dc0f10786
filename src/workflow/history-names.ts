import type { EntityManager } from 'typeorm';
import type { WorkflowHistory } from './workflow-history.entity.js';

/** A timeline entry with the name its reader knows the actor by. */
export type NamedHistory = WorkflowHistory & { actorName: string | null };

/**
 * The actors of timeline entries by their names, as the console shows people elsewhere: 王民（东湖区社区建设工作领导
 * 小组办公室）. One statement for the page; an entry of the service itself (no actor) or of an account since
 * deleted keeps null (the login name stays in `actorUsername`).
 */
export async function nameActors(m: EntityManager, rows: WorkflowHistory[]): Promise<NamedHistory[]> {
  const ids = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id))];
  const names = new Map<string, string>();
  if (ids.length) {
    const found: { id: string; name: string }[] = await m.query(
      `SELECT u.id, u.display_name || coalesce('（' || o.name || '）', '') AS name
         FROM app_user u LEFT JOIN org_unit o ON o.id = u.unit_id WHERE u.id = ANY($1::uuid[])`,
      [ids],
    );
    for (const f of found) names.set(f.id, f.name);
  }
  return rows.map((r) => Object.assign(r, { actorName: (r.actorId && names.get(r.actorId)) || null }));
}
