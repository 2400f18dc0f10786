import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { inForceSql } from '../admission/in-force.js';
import { OrgScope, sqlInArea } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { prepared } from '../common/sql.js';
import { StampRegistryService } from '../stamps/stamp-registry.service.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import {
  computeCoverage,
  negativeListHits,
  type Coverage,
  type CoverageItem,
  type CoverageItemCommunity,
  type StampRuling,
} from './coverage.js';
import type { SendDispatchDto } from './dto/dispatch.dto.js';

/** A community the work goes to. */
export interface Target {
  id: string;
  name: string;
  code: string;
}

/** What the one statement of `gather` answers (json columns). */
interface Gathered {
  units: { id: string; kind: string; active: boolean; path: string }[];
  targets: Target[];
  item: CoverageItem | null;
  in_force: string[];
  links: { community_id: string; funding_status: string; entered: string | null; exited: string | null }[];
  shared_items: { community_id: string; admission_number: string; title: string; fields: string[] }[];
  shared_earlier: { community_id: string; title: string; sent: string; fields: string[] }[];
  negative: { code: string; nameZh: string; appliesTo: string; keywords: string[]; source: string }[];
}

/**
 * The facts a piece of work's coverage is computed from (coverage.ts), for the preview and for sending alike:
 * the target communities (each target within the department's reach, OrgScope), the item cited and where it is in
 * force on the due date, the report fields each community already reports, and the negative list — all read by
 * ONE statement (one round trip, one snapshot), in the caller's transaction. The stamp registry answers from
 * memory (StampRegistryMemory, forgotten on every announced change) and the work calendar from the runtime's
 * short-lived copy.
 */
@Injectable()
export class CoverageGatherer {
  constructor(
    private readonly scope: OrgScope,
    private readonly clock: Clock,
    private readonly stamps: StampRegistryService,
    private readonly runtime: WorkflowRuntime,
  ) {}

  /**
   * The communities the targets name (a community, or every active community under a street or district; each
   * target within the department's reach, else 404 like a missing unit) and each one's coverage.
   */
  async coverage(
    m: EntityManager,
    p: Principal,
    dto: SendDispatchDto,
  ): Promise<{ targets: Target[]; coverage: Map<string, Coverage> }> {
    const g = await this.gather(m, p, dto);
    const targets = this.checkTargets(p, dto.targets, g);
    if (dto.admittedItemId && !g.item) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
    const itemCommunities = new Map<string, CoverageItemCommunity>(
      g.links.map((l) => [
        l.community_id,
        { fundingStatus: l.funding_status, enteredDay: l.entered, exitedDay: l.exited },
      ]),
    );
    const shared = new Map<string, { source: string; fields: string[] }[]>();
    const add = (community: string, source: string, fields: string[]) =>
      shared.set(community, [...(shared.get(community) ?? []), { source, fields }]);
    for (const r of g.shared_items)
      add(r.community_id, `准入事项${r.admission_number}《${r.title}》`, r.fields);
    for (const r of g.shared_earlier) add(r.community_id, `${r.sent}派发的《${r.title}》`, r.fields);
    const inForce = new Set(g.in_force);
    const stampByCommunity = await this.stampRulings(dto, targets);
    const negative = negativeListHits(g.negative, {
      kind: dto.kind,
      title: dto.title,
      content: dto.content,
      scoresOnlineTime: dto.scoresOnlineTime,
    });
    const calendar = await this.runtime.workCalendar(m);
    const work = {
      kind: dto.kind,
      title: dto.title,
      content: dto.content,
      departmentId: p.unitId,
      sentDay: this.clock.today(),
      dueDate: dto.dueDate,
      targetPopulation: dto.targetPopulation,
    };
    const coverage = new Map(
      targets.map((t) => [
        t.id,
        computeCoverage({
          work,
          item: g.item,
          inForce: inForce.has(t.id),
          itemCommunity: itemCommunities.get(t.id) ?? null,
          calendar,
          sharedReportFields: shared.get(t.id) ?? [],
          stamp: stampByCommunity.get(t.id) ?? null,
          negativeHits: negative,
        }),
      ]),
    );
    return { targets, coverage };
  }

  /** Each target must be an active community, street or district within the principal's reach. */
  private checkTargets(p: Principal, ids: string[], g: Gathered): Target[] {
    const byId = new Map(g.units.map((u) => [u.id, u]));
    const missing = ids.filter((id) => {
      const u = byId.get(id);
      return !u || !u.active || !this.scope.inScope(p, u);
    });
    // The first 20 named (2,000 unknown targets were all echoed back), and how many more.
    if (missing.length)
      throw new AppError('UNIT_NOT_FOUND', {
        targets: missing.slice(0, 20),
        more: Math.max(0, missing.length - 20),
      });
    const wrong = g.units.filter((u) => !TARGET_KINDS.includes(u.kind));
    if (wrong.length)
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'targets',
          problems: [
            `派往单位须为社区、街道或区：${wrong.map((u) => u.id).join('、')}。Targets must be communities, streets or districts.`,
          ],
        },
      ]);
    if (!g.targets.length)
      throw new AppError('VALIDATION_FAILED', [
        { field: 'targets', problems: ['所选单位下没有社区。The targets hold no community.'] },
      ]);
    return g.targets;
  }

  /** The facts, read by the one statement (coverageFactsSql). */
  private async gather(m: EntityManager, p: Principal, dto: SendDispatchDto): Promise<Gathered> {
    const { sql, params } = coverageFactsSql(p, dto);
    // Four texts (with or without an item, with or without report fields): each parsed and planned once per
    // connection.
    const name = `dispatch-coverage-facts-${dto.admittedItemId ? 'item' : 'none'}-${dto.reportFields?.length ? 'fields' : 'none'}`;
    const [row]: Partial<Gathered>[] = await m.query(prepared(name, sql), params);
    return {
      units: row.units ?? [],
      targets: row.targets ?? [],
      item: row.item ?? null,
      in_force: row.in_force ?? [],
      links: row.links ?? [],
      shared_items: row.shared_items ?? [],
      shared_earlier: row.shared_earlier ?? [],
      negative: row.negative ?? [],
    };
  }

  /**
   * A stamp demand: the registry's answer (StampRegistryService.check) for each community on the due date. Lists
   * are scoped by division code (at most 6 digits: a district), so one answer serves a district's communities.
   */
  private async stampRulings(dto: SendDispatchDto, targets: Target[]): Promise<Map<string, StampRuling>> {
    const out = new Map<string, StampRuling>();
    if (dto.kind !== 'stamp') return out;
    const byDistrict = new Map<string, StampRuling>();
    for (const t of targets) {
      const key = t.code.slice(0, 6);
      let ruling = byDistrict.get(key);
      if (!ruling) {
        const answer = await this.stamps.check(dto.certificateName!.trim(), t.id, dto.dueDate);
        const d = answer.deciding;
        ruling = {
          decision: answer.decision,
          citation: d
            ? `${d.list.documentNumber}《${d.list.title}》${d.entry.seq ? `第${d.entry.seq}项` : ''}：${d.entry.name}`
            : '',
        };
        byDistrict.set(key, ruling);
      }
      out.set(t.id, ruling);
    }
    return out;
  }
}

const TARGET_KINDS = ['COMMUNITY', 'STREET', 'DISTRICT'];

/**
 * The one statement. Targets: the units named; the active communities among them or under the streets and
 * districts among them, within the principal's area (what OrgScope.communitiesUnder and communitiesInArea
 * answer). The item cited: its row, the targets where it is in force on the due date (admission/in-force.ts)
 * and its rows for them. 数据一次采集: the report fields each target already reports — under another item in
 * force there on the due date (admitted_item.report_fields), or asked by an earlier dispatch to it under another
 * item (or none) due in the same year and not refused or withdrawn; work citing no item repeats any earlier
 * demand (nothing admits a periodic report without an item). And the negative list's active entries.
 */
export function coverageFactsSql(
  p: Pick<Principal, 'scopePath'>,
  dto: Pick<SendDispatchDto, 'targets' | 'admittedItemId' | 'dueDate' | 'reportFields'>,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [dto.targets, p.scopePath ?? null];
  const $ = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const fields = dto.reportFields ?? [];
  const inArea = sqlInArea;
  const ctes = [
    `req AS MATERIALIZED (SELECT id, kind, active, path FROM org_unit WHERE id = ANY($1::uuid[]))`,
    `tgt AS MATERIALIZED (
       SELECT c.id, c.name, c.code FROM req r JOIN org_unit c ON c.id = r.id
        WHERE r.kind = 'COMMUNITY' AND c.active AND ${inArea('c.path', '$2')}
       UNION
       SELECT c.id, c.name, c.code FROM req r JOIN org_unit c ON ${inArea('c.path', 'r.path')}
        WHERE r.kind IN ('STREET', 'DISTRICT') AND c.kind = 'COMMUNITY' AND c.active AND ${inArea('c.path', '$2')})`,
  ];
  const columns = [
    `(SELECT coalesce(json_agg(req), '[]') FROM req) AS units`,
    `(SELECT coalesce(json_agg(t ORDER BY t.code, t.id), '[]') FROM tgt t) AS targets`,
  ];
  const $item = dto.admittedItemId ? $(dto.admittedItemId, 'uuid') : 'NULL::uuid';
  if (dto.admittedItemId) {
    const inForce = inForceSql({ on: dto.dueDate, itemIds: [dto.admittedItemId] }, params.length + 1);
    params.push(...inForce.params);
    columns.push(
      `(SELECT json_build_object('id', id, 'admissionNumber', admission_number, 'title', title,
               'departmentId', department_id, 'kind', kind, 'authorizedContent', authorized_content,
               'targetPopulation', target_population, 'startDate', to_char(start_date, 'YYYY-MM-DD'),
               'endDate', to_char(end_date, 'YYYY-MM-DD'), 'noticeWorkingDays', notice_working_days)
          FROM admitted_item WHERE id = ${$item}) AS item`,
      `(SELECT coalesce(json_agg(f.community_id), '[]') FROM (${inForce.sql}) f
         WHERE f.community_id IN (SELECT id FROM tgt)) AS in_force`,
      `(SELECT coalesce(json_agg(json_build_object('community_id', community_id, 'funding_status', funding_status,
               'entered', to_char(entered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
               'exited', to_char(exited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'))), '[]')
          FROM admitted_item_community WHERE item_id = ${$item} AND community_id IN (SELECT id FROM tgt)) AS links`,
    );
  }
  if (fields.length) {
    const $fields = $(fields, 'text[]');
    const $due = $(dto.dueDate, 'date');
    const elsewhere = inForceSql({ on: dto.dueDate }, params.length + 1);
    params.push(...elsewhere.params);
    columns.push(
      `(SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT f.community_id, i.admission_number, i.title,
                 ARRAY(SELECT unnest(i.report_fields) INTERSECT SELECT unnest(${$fields}) ORDER BY 1) AS fields
            FROM (${elsewhere.sql}) f JOIN admitted_item i ON i.id = f.item_id
           WHERE f.community_id IN (SELECT id FROM tgt)
             AND i.report_fields && ${$fields} AND i.id IS DISTINCT FROM ${$item}) x) AS shared_items`,
      `(SELECT coalesce(json_agg(x ORDER BY x.sent_at), '[]') FROM (
          SELECT v.community_id, d.title, d.sent_at,
                 to_char(d.sent_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS sent,
                 ARRAY(SELECT unnest(d.report_fields) INTERSECT SELECT unnest(${$fields}) ORDER BY 1) AS fields
            FROM dispatch_delivery v JOIN dispatch d ON d.id = v.dispatch_id
           WHERE v.community_id IN (SELECT id FROM tgt) AND v.state NOT IN ('refused', 'withdrawn')
             AND d.report_fields && ${$fields}
             AND (${$item} IS NULL OR d.admitted_item_id IS DISTINCT FROM ${$item})
             AND date_part('year', v.due_date) = date_part('year', ${$due})) x) AS shared_earlier`,
    );
  }
  columns.push(
    `(SELECT coalesce(json_agg(json_build_object('code', code, 'nameZh', name_zh, 'appliesTo', applies_to,
             'keywords', keywords, 'source', source)), '[]')
        FROM negative_list_item WHERE active) AS negative`,
  );
  return { sql: `WITH ${ctes.join(',\n')}\nSELECT ${columns.join(',\n       ')}`, params };
}
