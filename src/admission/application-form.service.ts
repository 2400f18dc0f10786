import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { levelUnitsOf } from '../org/level-units.service.js';
import {
  renderApplicationForm,
  type ApplicationFormData,
  type FormMemberRow,
  type FormOpinion,
} from './application-form.js';
import { ApplicationsService } from './applications.service.js';

/** The admission flow's review steps (workflows/admission.bpmn) and the box of the paper form each fills. */
const SECTIONS: Record<string, { box: 'department' | 'office' | 'members' | 'leader'; step: string | null }> =
  {
    deptApprove: { box: 'department', step: null },
    completeness: { box: 'office', step: '完整性审查' },
    scopeReview: { box: 'office', step: '范围与重复审查' },
    countersign: { box: 'members', step: null },
    leaderSign: { box: 'leader', step: null },
  };

interface TaskRow {
  id: string;
  element_id: string;
  kind: string;
  parent_task_id: string | null;
  loop_item: unknown;
  decision: string | null;
  comment: string | null;
  completed_at: Date | null;
  person: string | null;
  unit: string | null;
  data: { deficiencies?: unknown[] } | null;
}

/** Gathers what the printable 社区工作准入审批表 shows, with the visibility of GET /applications/:id. */
@Injectable()
export class ApplicationFormService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly scope: OrgScope,
    private readonly clock: Clock,
  ) {}

  /** The 审批表 as one printable HTML page (seed 002 §4: 部门意见, 办公室意见, 会签意见, 主要领导签批). */
  async html(p: Principal, id: string): Promise<string> {
    return renderApplicationForm(await this.gather(p, id));
  }

  /** The form's data: a foreign or missing application answers APPLICATION_NOT_FOUND (as GET /applications/:id). */
  async gather(p: Principal, id: string): Promise<ApplicationFormData> {
    const app = await this.applications.get(p, id);
    const m = this.dataSource.manager;
    const item: { id: string; admission_number: string; leading_group_id: string } | undefined = (
      await m.query(
        `SELECT id, admission_number, leading_group_id FROM admitted_item WHERE application_id = $1
          ORDER BY signed_at DESC LIMIT 1`,
        [app.id],
      )
    )[0];
    const groupId = item?.leading_group_id ?? (await levelUnitsOf(m, app.applicantUnitId)).groupId;
    const instance: { variables: { memberUnits?: unknown } } | undefined = app.instanceId
      ? (await m.query('SELECT variables FROM workflow_instance WHERE id = $1', [app.instanceId]))[0]
      : undefined;
    const tasks: TaskRow[] = app.instanceId
      ? await m.query(
          `SELECT t.id, t.element_id, t.kind, t.parent_task_id, t.loop_item, t.decision, t.comment, t.completed_at,
                  u.display_name AS person, uu.name AS unit,
                  (SELECT h.data FROM workflow_history h
                    WHERE h.task_id = t.id AND h.action IN ('task.completed', 'task.returned')
                    ORDER BY h.seq DESC LIMIT 1) AS data
             FROM workflow_task t
             LEFT JOIN app_user u ON u.id = t.completed_by
             LEFT JOIN org_unit uu ON uu.id = u.unit_id
            WHERE t.instance_id = $1 AND t.status = 'completed'
            ORDER BY t.completed_at, t.id`,
          [app.instanceId],
        )
      : [];
    // The member units as the case received them, then any unit that countersigned beyond them.
    const memberVar = instance?.variables?.memberUnits;
    const memberIds: string[] = Array.isArray(memberVar) ? memberVar.map(String) : [];
    const loopOf = new Map(tasks.map((t) => [t.id, t.loop_item]));
    const memberOf = (t: TaskRow) => {
      const item = t.kind === 'added-signer' && t.parent_task_id ? loopOf.get(t.parent_task_id) : t.loop_item;
      return typeof item === 'string' ? item : null;
    };
    for (const t of tasks) {
      const unit = t.element_id === 'countersign' ? memberOf(t) : null;
      if (unit && !memberIds.includes(unit)) memberIds.push(unit);
    }

    const unitIds = [
      app.applicantUnitId,
      app.targetUnitId,
      groupId,
      ...(app.targetCommunityIds ?? []),
      ...memberIds,
    ].filter((x): x is string => !!x);
    const names = new Map<string, string>(
      (
        (await m.query('SELECT id, name FROM org_unit WHERE id = ANY($1::uuid[])', [unitIds])) as {
          id: string;
          name: string;
        }[]
      ).map((r) => [r.id, r.name]),
    );
    const one = async (sql: string, params: unknown[]): Promise<string | null> =>
      ((await m.query(sql, params)) as { v: string }[])[0]?.v ?? null;
    const communityCount = item
      ? Number(await one('SELECT count(*) AS v FROM admitted_item_community WHERE item_id = $1', [item.id]))
      : app.targetScope === 'list'
        ? (app.targetCommunityIds ?? []).length
        : app.targetScope === 'all' && app.targetUnitId
          ? (await this.scope.communitiesUnder(m, app.targetUnitId)).length
          : null;

    const opinion = (t: TaskRow): FormOpinion => ({
      step: SECTIONS[t.element_id]?.step ?? null,
      decision: t.decision,
      comment: t.comment,
      deficiencies: Array.isArray(t.data?.deficiencies) ? t.data.deficiencies : [],
      person: t.person,
      unit: t.unit,
      at: t.completed_at,
      addedSigner: t.kind === 'added-signer',
    });
    const box = (name: 'department' | 'office' | 'leader') =>
      tasks.filter((t) => SECTIONS[t.element_id]?.box === name).map(opinion);
    const members: FormMemberRow[] = memberIds.map((unitId) => ({
      unitName: names.get(unitId) ?? unitId,
      opinions: tasks.filter((t) => t.element_id === 'countersign' && memberOf(t) === unitId).map(opinion),
    }));

    return {
      application: app,
      applicantUnitName: names.get(app.applicantUnitId) ?? null,
      leadingGroupName: groupId ? (names.get(groupId) ?? null) : null,
      createdByName: await one('SELECT display_name AS v FROM app_user WHERE id = $1', [app.createdBy]),
      statutoryAreaName: app.statutoryArea
        ? await one('SELECT name_zh AS v FROM statutory_area WHERE code = $1', [app.statutoryArea])
        : null,
      targetUnitName: app.targetUnitId ? (names.get(app.targetUnitId) ?? null) : null,
      targetCommunityNames: (app.targetCommunityIds ?? []).map((c) => names.get(c) ?? c),
      communityCount,
      regularizesItemNumber: app.regularizesItemId
        ? await one('SELECT admission_number AS v FROM admitted_item WHERE id = $1', [app.regularizesItemId])
        : null,
      admissionNumber: item?.admission_number ?? null,
      attachments: (
        (await m.query(
          `SELECT file_name, size_bytes FROM application_attachment WHERE application_id = $1
            ORDER BY uploaded_at, id`,
          [app.id],
        )) as { file_name: string; size_bytes: number }[]
      ).map((r) => ({ fileName: r.file_name, sizeBytes: r.size_bytes })),
      department: box('department'),
      office: box('office'),
      members,
      leader: box('leader'),
      printedAt: this.clock.now(),
    };
  }
}
