import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { itemsInForce, inForceSql } from '../admission/in-force.js';
import { NegativeListItem } from '../admission/reference.entities.js';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { rowsOf } from '../common/sql.js';
import type { FieldProblem } from '../common/validation.js';
import { StampRegistryService } from '../stamps/stamp-registry.service.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import {
  computeCoverage,
  negativeListHits,
  SEED_002,
  type Coverage,
  type CoverageItem,
  type CoverageItemCommunity,
  type CoverageReason,
  type StampRuling,
} from './coverage.js';
import { Dispatch, DispatchDelivery, type DeliveryState, type DispatchDetails } from './dispatch.entities.js';
import type {
  CommunityCoverageDto,
  CoveragePreviewDto,
  DeliveryDto,
  DispatchDto,
  ReceivedWorkDto,
} from './dto/dispatch-responses.dto.js';
import type {
  DispatchListQuery,
  DoneDto,
  ReceivedWorkQuery,
  RefuseDto,
  SendDispatchDto,
  WithdrawDispatchDto,
} from './dto/dispatch.dto.js';

/** Seed 002 §4: work clearly outside the committee's duties may be refused (a covered piece refused in words). */
export const OUTSIDE_DUTIES_RULE = `${SEED_002}第4条：对明显不属于社区职责范围的工作，社区有权拒绝`;

const OPEN: DeliveryState[] = ['received', 'accepted'];

interface ItemRow extends CoverageItem {
  leadingGroupId: string;
}

interface Target {
  id: string;
  name: string;
  code: string;
}

/**
 * Dispatched work (派单, DESIGN §2): a department sends work to communities within its reach; each community's
 * coverage is computed at send time (coverage.ts) and stored with its delivery; the committee accepts, marks done
 * or refuses; the department sees every state and refusal at once and may withdraw.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: OrgScope,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly stamps: StampRegistryService,
    private readonly runtime: WorkflowRuntime,
  ) {}

  /** The coverage per community of a piece of work, computed as sending would, writing nothing. */
  async preview(p: Principal, dto: SendDispatchDto): Promise<CoveragePreviewDto> {
    const m = this.dataSource.manager;
    this.validate(dto);
    const targets = await this.resolveTargets(m, p, dto.targets);
    const coverage = await this.coverageOf(m, p, dto, targets);
    const communities = targets.map((t) => toCommunityCoverage(t, coverage.get(t.id)!));
    const covered = communities.filter((c) => c.covered).length;
    return { communities, covered, uncovered: communities.length - covered };
  }

  /**
   * Sends the work: one delivery per community, each with its coverage (uncovered work is still delivered,
   * flagged), all in one transaction; the same idempotency key answers the same dispatch.
   */
  async send(actor: Actor, dto: SendDispatchDto): Promise<{ dispatch: DispatchDto; created: boolean }> {
    const p = actor.principal!;
    this.validate(dto);
    const id = await this.dataSource.transaction(async (m) => {
      if (dto.idempotencyKey) {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
          `dispatch:${p.unitId}:${dto.idempotencyKey}`,
        ]);
        const existing = await m.findOneBy(Dispatch, {
          departmentId: p.unitId,
          idempotencyKey: dto.idempotencyKey,
        });
        if (existing) {
          if (!sameDispatch(existing, dto)) throw new AppError('DISPATCH_IDEMPOTENCY_KEY_REUSED');
          return { id: existing.id, created: false };
        }
      }
      const targets = await this.resolveTargets(m, p, dto.targets);
      const coverage = await this.coverageOf(m, p, dto, targets);
      const now = this.clock.now();
      const dispatch = await m.save(
        m.create(Dispatch, {
          departmentId: p.unitId,
          sentBy: p.userId,
          kind: dto.kind,
          title: dto.title,
          content: dto.content,
          details: detailsOf(dto),
          reportFields: dto.reportFields ?? [],
          dueDate: dto.dueDate,
          expectedHours: String(dto.expectedHours),
          admittedItemId: dto.admittedItemId ?? null,
          targetUnitIds: dto.targets,
          idempotencyKey: dto.idempotencyKey ?? null,
          sentAt: now,
        }),
      );
      const rows = targets.map((t) => {
        const c = coverage.get(t.id)!;
        return {
          dispatchId: dispatch.id,
          communityId: t.id,
          departmentId: p.unitId,
          dueDate: dto.dueDate,
          sentAt: now,
          covered: c.covered,
          reasonCode: c.reasonCode,
          reasons: c.reasons,
          state: 'received' as const,
        };
      });
      for (let i = 0; i < rows.length; i += 500) await m.insert(DispatchDelivery, rows.slice(i, i + 500));
      const uncovered = rows.filter((r) => !r.covered).length;
      await this.audit.record(m, actor, {
        action: 'dispatch.sent',
        entityType: 'dispatch',
        entityId: dispatch.id,
        data: {
          kind: dto.kind,
          title: dto.title,
          dueDate: dto.dueDate,
          admittedItemId: dto.admittedItemId ?? null,
          communities: rows.length,
          uncovered,
        },
      });
      return { id: dispatch.id, created: true };
    });
    return { dispatch: await this.get(p, id.id), created: id.created };
  }

  /** The department's own dispatches, newest first, each with its per-community counts and its refusals (`refused`: only those some community refused). */
  async list(p: Principal, q: DispatchListQuery): Promise<Page<DispatchDto>> {
    const page = pageRequest(q);
    const qb = this.dataSource
      .getRepository(Dispatch)
      .createQueryBuilder('d')
      .where('d.department_id = :unit', { unit: p.unitId });
    if (q.refused !== undefined)
      qb.andWhere(
        `${q.refused ? '' : 'NOT '}EXISTS (SELECT 1 FROM dispatch_delivery v WHERE v.dispatch_id = d.id AND v.state = 'refused')`,
      );
    const [rows, total] = await qb
      .orderBy('d.sent_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .skip(page.offset)
      .take(page.pageSize)
      .getManyAndCount();
    const items = await this.views(rows, { refusedOnly: true });
    return toPage(items, total, page);
  }

  /** One of the department's dispatches with every community's state; another unit's answers 404. */
  async get(p: Principal, id: string): Promise<DispatchDto> {
    const d = await this.dataSource.getRepository(Dispatch).findOneBy({ id, departmentId: p.unitId });
    if (!d) throw new AppError('DISPATCH_NOT_FOUND');
    return (await this.views([d], { refusedOnly: false }))[0];
  }

  /**
   * Withdraws the work from every community not done (or from the communities named): all or nothing — a
   * named community whose piece is done or already withdrawn answers 409 and nothing changes.
   */
  async withdraw(actor: Actor, id: string, dto: WithdrawDispatchDto): Promise<DispatchDto> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      const d = await m.findOneBy(Dispatch, { id, departmentId: p.unitId });
      if (!d) throw new AppError('DISPATCH_NOT_FOUND');
      const deliveries: { id: string; community_id: string; state: DeliveryState }[] = await m.query(
        `SELECT id, community_id, state FROM dispatch_delivery WHERE dispatch_id = $1 ORDER BY id FOR UPDATE`,
        [id],
      );
      let chosen: typeof deliveries;
      if (dto.communityIds) {
        const byCommunity = new Map(deliveries.map((x) => [x.community_id, x]));
        const missing = dto.communityIds.filter((c) => !byCommunity.has(c));
        if (missing.length) throw new AppError('RECEIVED_WORK_NOT_FOUND', { communityIds: missing });
        chosen = dto.communityIds.map((c) => byCommunity.get(c)!);
        const done = chosen.find((x) => x.state === 'done');
        if (done) throw new AppError('DISPATCH_ALREADY_DONE', { communityId: done.community_id });
        const gone = chosen.find((x) => x.state === 'withdrawn');
        if (gone) throw new AppError('DISPATCH_ALREADY_WITHDRAWN', { communityId: gone.community_id });
      } else {
        chosen = deliveries.filter((x) => x.state !== 'done' && x.state !== 'withdrawn');
        if (!chosen.length) throw new AppError('DISPATCH_ALREADY_WITHDRAWN');
      }
      await m.query(
        `UPDATE dispatch_delivery SET state = 'withdrawn', withdrawn_at = $2, withdraw_note = $3 WHERE id = ANY($1::uuid[])`,
        [chosen.map((x) => x.id), this.clock.now(), dto.note ?? null],
      );
      await this.audit.record(m, actor, {
        action: 'dispatch.withdrawn',
        entityType: 'dispatch',
        entityId: id,
        data: { communityIds: chosen.map((x) => x.community_id), note: dto.note ?? null },
      });
    });
    return this.get(p, id);
  }

  /**
   * The committee's received work (收到的工作): open pieces (received, accepted) first, the nearest due date
   * first (the most urgent), then the newest; then closed pieces (done, refused, withdrawn), newest first.
   */
  async inbox(p: Principal, q: ReceivedWorkQuery): Promise<Page<ReceivedWorkDto>> {
    const page = pageRequest(q);
    const where = ['v.community_id = $1'];
    const params: unknown[] = [p.unitId];
    if (q.state === 'open') where.push(`v.state IN ('received', 'accepted')`);
    else if (q.state === 'closed') where.push(`v.state IN ('done', 'refused', 'withdrawn')`);
    else if (q.state) {
      params.push(q.state);
      where.push(`v.state = $${params.length}`);
    }
    if (q.uncovered !== undefined) {
      params.push(!q.uncovered);
      where.push(`v.covered = $${params.length}`);
    }
    const total: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM dispatch_delivery v WHERE ${where.join(' AND ')}`,
      params,
    );
    const rows: ReceivedRow[] = await this.dataSource.query(
      `${RECEIVED_SELECT} WHERE ${where.join(' AND ')}
        ORDER BY (v.state IN ('received', 'accepted')) DESC,
                 CASE WHEN v.state IN ('received', 'accepted') THEN v.due_date END ASC,
                 v.sent_at DESC, v.id
        LIMIT ${page.pageSize} OFFSET ${page.offset}`,
      params,
    );
    return toPage(rows.map(toReceivedWork), Number(total[0].n), page);
  }

  /** The committee accepts a piece (接收). */
  async accept(actor: Actor, id: string): Promise<ReceivedWorkDto> {
    return this.transition(actor, id, ['received'], 'accepted', { accepted_at: this.clock.now() });
  }

  /** The committee marks a piece done with the hours it took (accepting it if it had not). */
  async done(actor: Actor, id: string, dto: DoneDto): Promise<ReceivedWorkDto> {
    const now = this.clock.now();
    return this.transition(actor, id, OPEN, 'done', {
      done_at: now,
      hours_spent: String(dto.hours),
      accepted_at: { sql: 'COALESCE(accepted_at, $now)', value: now },
    });
  }

  /**
   * Seed 002 §4: the committee refuses with one action; the reason defaults to the piece's coverage reason. A
   * covered piece may be refused too, with the committee's own words (outside-duties unless it names a code).
   */
  async refuse(actor: Actor, id: string, dto: RefuseDto): Promise<ReceivedWorkDto> {
    const p = actor.principal!;
    const current = await this.dataSource.query(
      `SELECT covered, reason_code, dispute_state FROM dispatch_delivery WHERE id = $1 AND community_id = $2`,
      [id, p.unitId],
    );
    if (!current.length) throw new AppError('RECEIVED_WORK_NOT_FOUND');
    const { covered, reason_code, dispute_state } = current[0] as {
      covered: boolean;
      reason_code: string;
      dispute_state: string | null;
    };
    // An overturned refusal: the work stands (seed 002 §4, the district office's ruling); it is not refused again.
    if (dispute_state === 'overturned') throw new AppError('DISPUTE_ALREADY_RULED');
    const note = dto.note?.trim() || null;
    if (covered && !note)
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'note',
          problems: [
            '这项工作在准入范围内，拒绝时请写明理由（如明显不属于社区职责范围）。The piece is covered: type the reason for refusing it.',
          ],
        },
      ]);
    const reasonCode = dto.reasonCode ?? (covered ? 'outside-duties' : reason_code);
    return this.transition(actor, id, OPEN, 'refused', {
      refused_at: this.clock.now(),
      refused_by: p.userId,
      refusal_reason_code: reasonCode,
      refusal_note: note,
    });
  }

  /** One atomic state change of a committee's piece; a piece in another state answers 409 with its code. */
  private async transition(
    actor: Actor,
    id: string,
    from: DeliveryState[],
    to: DeliveryState,
    set: Record<string, unknown>,
  ): Promise<ReceivedWorkDto> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      const params: unknown[] = [id, p.unitId, from, to];
      const sets = ['state = $4'];
      for (const [col, v] of Object.entries(set)) {
        if (isSqlValue(v)) {
          params.push(v.value);
          sets.push(`${col} = ${v.sql.replace('$now', `$${params.length}`)}`);
        } else {
          params.push(v);
          sets.push(`${col} = $${params.length}`);
        }
      }
      const updated = rowsOf<{ id: string; dispatch_id: string }>(
        await m.query(
          `UPDATE dispatch_delivery SET ${sets.join(', ')}
          WHERE id = $1 AND community_id = $2 AND state = ANY($3::text[]) RETURNING id, dispatch_id`,
          params,
        ),
      );
      if (!updated.length) {
        const rows: { state: DeliveryState }[] = await m.query(
          `SELECT state FROM dispatch_delivery WHERE id = $1 AND community_id = $2`,
          [id, p.unitId],
        );
        if (!rows.length) throw new AppError('RECEIVED_WORK_NOT_FOUND');
        throw new AppError(CONFLICT_OF[rows[0].state], { state: rows[0].state });
      }
      await this.audit.record(m, actor, {
        action: `dispatch.${to}`,
        entityType: 'dispatch_delivery',
        entityId: id,
        data: { dispatchId: updated[0].dispatch_id, ...plain(set) },
      });
    });
    const rows: ReceivedRow[] = await this.dataSource.query(`${RECEIVED_SELECT} WHERE v.id = $1`, [id]);
    return toReceivedWork(rows[0]);
  }

  /** Kind-specific required fields and the due date (400 naming the field). */
  private validate(dto: SendDispatchDto): void {
    const problems: FieldProblem[] = [];
    const need = (field: string, ok: boolean, zh: string, en = 'is required for this kind') => {
      if (!ok) problems.push({ field, problems: [`${zh}（${field}）必填。${field} ${en}.`] });
    };
    // Spaces only are no words (the DTO counts them as characters).
    need('title', !!dto.title?.trim(), '工作标题', 'must not be blank');
    need('content', !!dto.content?.trim(), '工作内容', 'must not be blank');
    if (dto.kind === 'stamp')
      need('certificateName', !!dto.certificateName?.trim(), '盖章证明须写明证明名称');
    if (dto.kind === 'meeting') {
      need('meetingTime', !!dto.meetingTime?.trim(), '会议须写明时间');
      need('meetingPlace', !!dto.meetingPlace?.trim(), '会议须写明地点');
    }
    if (dto.kind === 'report') need('reportFields', !!dto.reportFields?.length, '报表台账须列出填报字段');
    if (dto.dueDate < this.clock.today())
      problems.push({
        field: 'dueDate',
        problems: [`截止日期不能早于今天（${this.clock.today()}）。The due date is in the past.`],
      });
    if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
  }

  /**
   * The communities the targets name: a community, or every active community under a street or district; each
   * target must lie within the department's reach (OrgScope), else 404 like a missing unit.
   */
  private async resolveTargets(m: EntityManager, p: Principal, ids: string[]): Promise<Target[]> {
    const units: { id: string; kind: string; active: boolean; path: string }[] = await m.query(
      `SELECT id, kind, active, path FROM org_unit WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(units.map((u) => [u.id, u]));
    const missing = ids.filter((id) => {
      const u = byId.get(id);
      return !u || !u.active || !this.scope.inScope(p, u);
    });
    if (missing.length) throw new AppError('UNIT_NOT_FOUND', { targets: missing });
    const wrong = units.filter((u) => !['COMMUNITY', 'STREET', 'DISTRICT'].includes(u.kind));
    if (wrong.length)
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'targets',
          problems: [
            `派往单位须为社区、街道或区：${wrong.map((u) => u.id).join('、')}。Targets must be communities, streets or districts.`,
          ],
        },
      ]);
    const communityIds = new Set<string>();
    for (const id of ids) {
      const u = byId.get(id)!;
      if (u.kind === 'COMMUNITY') communityIds.add(id);
      else for (const c of await this.scope.communitiesUnder(m, id)) communityIds.add(c);
    }
    const inReach = await this.scope.communitiesInArea(m, [...communityIds], p.scopePath);
    if (!inReach.length)
      throw new AppError('VALIDATION_FAILED', [
        { field: 'targets', problems: ['所选单位下没有社区。The targets hold no community.'] },
      ]);
    return m.query(`SELECT id, name, code FROM org_unit WHERE id = ANY($1::uuid[]) ORDER BY code, id`, [
      inReach,
    ]);
  }

  /** Every target community's coverage (coverage.ts), from the facts this gathers in a few queries. */
  private async coverageOf(
    m: EntityManager,
    p: Principal,
    dto: SendDispatchDto,
    targets: Target[],
  ): Promise<Map<string, Coverage>> {
    const communityIds = targets.map((t) => t.id);
    const day = dto.dueDate;
    let item: ItemRow | null = null;
    const inForce = new Set<string>();
    const itemCommunities = new Map<string, CoverageItemCommunity>();
    if (dto.admittedItemId) {
      const rows: ItemRow[] = await m.query(
        `SELECT id, admission_number AS "admissionNumber", title, department_id AS "departmentId", kind,
                authorized_content AS "authorizedContent", target_population AS "targetPopulation",
                to_char(start_date, 'YYYY-MM-DD') AS "startDate", to_char(end_date, 'YYYY-MM-DD') AS "endDate",
                leading_group_id AS "leadingGroupId", notice_working_days AS "noticeWorkingDays"
           FROM admitted_item WHERE id = $1`,
        [dto.admittedItemId],
      );
      if (!rows.length) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
      item = rows[0];
      for (const pair of await itemsInForce(m, { on: day, itemIds: [item.id], communityIds }))
        inForce.add(pair.communityId);
      const links: {
        community_id: string;
        funding_status: string;
        entered: string | null;
        exited: string | null;
      }[] = await m.query(
        `SELECT community_id, funding_status,
                  to_char(entered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS entered,
                  to_char(exited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS exited
             FROM admitted_item_community WHERE item_id = $1 AND community_id = ANY($2::uuid[])`,
        [item.id, communityIds],
      );
      for (const l of links)
        itemCommunities.set(l.community_id, {
          fundingStatus: l.funding_status,
          enteredDay: l.entered,
          exitedDay: l.exited,
        });
    }
    const shared = await this.sharedReportFields(m, dto, communityIds);
    const stampByCommunity = await this.stampRulings(dto, targets);
    const negative = negativeListHits(await m.findBy(NegativeListItem, { active: true }), {
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
    return new Map(
      targets.map((t) => [
        t.id,
        computeCoverage({
          work,
          item,
          inForce: inForce.has(t.id),
          itemCommunity: itemCommunities.get(t.id) ?? null,
          calendar,
          sharedReportFields: shared.get(t.id) ?? [],
          stamp: stampByCommunity.get(t.id) ?? null,
          negativeHits: negative,
        }),
      ]),
    );
  }

  /**
   * 数据一次采集: the report fields each community already reports — under another item in force there on the due
   * date (admitted_item.report_fields), or asked by an earlier dispatch to it under another item (or none) due
   * in the same year and not refused or withdrawn; work citing no item repeats any earlier demand (nothing
   * admits a periodic report without an item).
   */
  private async sharedReportFields(
    m: EntityManager,
    dto: SendDispatchDto,
    communityIds: string[],
  ): Promise<Map<string, { source: string; fields: string[] }[]>> {
    const out = new Map<string, { source: string; fields: string[] }[]>();
    const fields = dto.reportFields ?? [];
    if (!fields.length) return out;
    const add = (community: string, source: string, f: string[]) =>
      out.set(community, [...(out.get(community) ?? []), { source, fields: f }]);
    const q = inForceSql({ on: dto.dueDate, communityIds }, 3);
    const items: { community_id: string; admission_number: string; title: string; fields: string[] }[] =
      await m.query(
        `SELECT f.community_id, i.admission_number, i.title,
                ARRAY(SELECT unnest(i.report_fields) INTERSECT SELECT unnest($1::text[]) ORDER BY 1) AS fields
           FROM (${q.sql}) f JOIN admitted_item i ON i.id = f.item_id
          WHERE i.report_fields && $1::text[] AND i.id IS DISTINCT FROM $2::uuid`,
        [fields, dto.admittedItemId ?? null, ...q.params],
      );
    for (const r of items) add(r.community_id, `准入事项${r.admission_number}《${r.title}》`, r.fields);
    const earlier: { community_id: string; title: string; sent: string; fields: string[] }[] = await m.query(
      `SELECT v.community_id, d.title, to_char(d.sent_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS sent,
              ARRAY(SELECT unnest(d.report_fields) INTERSECT SELECT unnest($1::text[]) ORDER BY 1) AS fields
         FROM dispatch_delivery v JOIN dispatch d ON d.id = v.dispatch_id
        WHERE v.community_id = ANY($2::uuid[]) AND v.state NOT IN ('refused', 'withdrawn')
          AND d.report_fields && $1::text[] AND ($3::uuid IS NULL OR d.admitted_item_id IS DISTINCT FROM $3::uuid)
          AND date_part('year', v.due_date) = date_part('year', $4::date)
        ORDER BY d.sent_at`,
      [fields, communityIds, dto.admittedItemId ?? null, dto.dueDate],
    );
    for (const r of earlier) add(r.community_id, `${r.sent}派发的《${r.title}》`, r.fields);
    return out;
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

  /** Dispatches with their department's name, the item's number, per-state counts and deliveries. */
  private async views(rows: Dispatch[], o: { refusedOnly: boolean }): Promise<DispatchDto[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const meta: { id: string; department_name: string; admission_number: string | null }[] =
      await this.dataSource.query(
        `SELECT d.id, u.name AS department_name, i.admission_number
           FROM dispatch d JOIN org_unit u ON u.id = d.department_id
           LEFT JOIN admitted_item i ON i.id = d.admitted_item_id
          WHERE d.id = ANY($1::uuid[])`,
        [ids],
      );
    const counts: Record<string, string>[] = await this.dataSource.query(
      `SELECT dispatch_id, count(*) AS total, count(*) FILTER (WHERE covered) AS covered,
              count(*) FILTER (WHERE state = 'received') AS received, count(*) FILTER (WHERE state = 'accepted') AS accepted,
              count(*) FILTER (WHERE state = 'done') AS done, count(*) FILTER (WHERE state = 'refused') AS refused,
              count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn
         FROM dispatch_delivery WHERE dispatch_id = ANY($1::uuid[]) GROUP BY dispatch_id`,
      [ids],
    );
    const deliveries: DeliveryRow[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT v.*, c.name AS community_name, c.code AS community_code,
                row_number() OVER (PARTITION BY v.dispatch_id ORDER BY v.refused_at DESC NULLS LAST, c.code) AS n
           FROM dispatch_delivery v JOIN org_unit c ON c.id = v.community_id
          WHERE v.dispatch_id = ANY($1::uuid[]) ${o.refusedOnly ? `AND v.state = 'refused'` : ''}) x
        WHERE ${o.refusedOnly ? 'n <= 50' : 'true'}
        ORDER BY ${o.refusedOnly ? 'refused_at DESC,' : ''} community_code, id`,
      [ids],
    );
    const metaOf = new Map(meta.map((x) => [x.id, x]));
    const countOf = new Map(counts.map((x) => [x.dispatch_id, x]));
    return rows.map((d) => {
      const c = countOf.get(d.id) ?? {};
      const n = (k: string) => Number(c[k] ?? 0);
      return {
        id: d.id,
        kind: d.kind,
        title: d.title,
        content: d.content,
        details: d.details,
        dueDate: d.dueDate,
        expectedHours: Number(d.expectedHours),
        admittedItemId: d.admittedItemId,
        admissionNumber: metaOf.get(d.id)?.admission_number ?? null,
        departmentId: d.departmentId,
        departmentName: metaOf.get(d.id)?.department_name ?? '',
        sentAt: d.sentAt.toISOString(),
        counts: {
          total: n('total'),
          covered: n('covered'),
          uncovered: n('total') - n('covered'),
          received: n('received'),
          accepted: n('accepted'),
          done: n('done'),
          refused: n('refused'),
          withdrawn: n('withdrawn'),
        },
        deliveries: deliveries.filter((x) => x.dispatch_id === d.id).map(toDelivery),
      };
    });
  }
}

const CONFLICT_OF: Record<
  DeliveryState,
  'DISPATCH_ALREADY_ACCEPTED' | 'DISPATCH_ALREADY_DONE' | 'DISPATCH_ALREADY_REFUSED' | 'DISPATCH_WITHDRAWN'
> = {
  received: 'DISPATCH_ALREADY_ACCEPTED',
  accepted: 'DISPATCH_ALREADY_ACCEPTED',
  done: 'DISPATCH_ALREADY_DONE',
  refused: 'DISPATCH_ALREADY_REFUSED',
  withdrawn: 'DISPATCH_WITHDRAWN',
};

interface SqlValue {
  sql: string;
  value: unknown;
}

function isSqlValue(v: unknown): v is SqlValue {
  return !!v && typeof v === 'object' && 'sql' in v && 'value' in v;
}

function plain(set: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).map(([k, v]) => [k, isSqlValue(v) ? v.value : v]));
}

function detailsOf(dto: SendDispatchDto): DispatchDetails {
  const d: DispatchDetails = {};
  if (dto.kind === 'meeting')
    Object.assign(d, { meetingTime: dto.meetingTime, meetingPlace: dto.meetingPlace });
  if (dto.reportFields?.length) d.reportFields = dto.reportFields;
  if (dto.kind === 'stamp') d.certificateName = dto.certificateName!.trim();
  if (dto.kind === 'app-registration') d.scoresOnlineTime = dto.scoresOnlineTime ?? false;
  if (dto.targetPopulation) d.targetPopulation = dto.targetPopulation;
  return d;
}

/** Whether a stored dispatch is the one this request asks for again (same key): the same work in every field. */
function sameDispatch(d: Dispatch, dto: SendDispatchDto): boolean {
  return (
    d.kind === dto.kind &&
    d.title === dto.title &&
    d.content === dto.content &&
    d.dueDate === dto.dueDate &&
    Number(d.expectedHours) === Number(dto.expectedHours) &&
    canonical(d.details) === canonical(detailsOf(dto)) &&
    (d.admittedItemId ?? undefined) === (dto.admittedItemId ?? undefined) &&
    [...d.targetUnitIds].sort().join() === [...dto.targets].sort().join()
  );
}

/** JSON with the keys in one order (jsonb answers them in its own). */
function canonical(details: DispatchDetails): string {
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => a.localeCompare(b))));
}

function toCommunityCoverage(t: Target, c: Coverage): CommunityCoverageDto {
  return {
    communityId: t.id,
    communityName: t.name,
    covered: c.covered,
    reasonCode: c.reasonCode,
    rule: c.reasons[0].rule,
    reasons: c.reasons,
  };
}

/** The rule a refusal cites: the coverage reason's own, or seed 002 §4 for a reason the coverage did not give. */
function refusalRule(code: string | null, reasons: CoverageReason[]): string | null {
  if (!code) return null;
  return reasons.find((r) => r.code === code)?.rule ?? OUTSIDE_DUTIES_RULE;
}

interface DeliveryRow {
  id: string;
  dispatch_id: string;
  community_id: string;
  community_name: string;
  covered: boolean;
  reason_code: string;
  reasons: CoverageReason[];
  state: DeliveryState;
  accepted_at: Date | null;
  done_at: Date | null;
  hours_spent: string | null;
  refused_at: Date | null;
  refusal_reason_code: string | null;
  refusal_note: string | null;
  withdrawn_at: Date | null;
  withdraw_note: string | null;
  dispute_state: string | null;
  dispute_instance_id: string | null;
  dispute_argument: string | null;
  dispute_basis: string | null;
  dispute_ruled_by: string | null;
  dispute_ruling: string | null;
}

const disputeOf = (r: DeliveryRow) => ({
  disputeState: r.dispute_state,
  disputeInstanceId: r.dispute_instance_id,
  disputeArgument: r.dispute_argument,
  disputeBasis: r.dispute_basis,
  disputeRuledBy: r.dispute_ruled_by,
  disputeRuling: r.dispute_ruling,
});

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toDelivery(r: DeliveryRow): DeliveryDto {
  return {
    id: r.id,
    communityId: r.community_id,
    communityName: r.community_name,
    covered: r.covered,
    reasonCode: r.reason_code,
    rule: r.reasons[0]?.rule ?? '',
    reasons: r.reasons,
    state: r.state,
    acceptedAt: iso(r.accepted_at),
    doneAt: iso(r.done_at),
    hoursSpent: r.hours_spent === null ? null : Number(r.hours_spent),
    refusedAt: iso(r.refused_at),
    refusalReasonCode: r.refusal_reason_code,
    refusalRule: refusalRule(r.refusal_reason_code, r.reasons),
    refusalNote: r.refusal_note,
    withdrawnAt: iso(r.withdrawn_at),
    ...disputeOf(r),
  };
}

interface ReceivedRow extends DeliveryRow {
  kind: string;
  title: string;
  content: string;
  details: DispatchDetails;
  due: string;
  expected_hours: string;
  department_name: string;
  admitted_item_id: string | null;
  admission_number: string | null;
  sent_at: Date;
  department_id: string;
}

const RECEIVED_SELECT = `
  SELECT v.*, to_char(v.due_date, 'YYYY-MM-DD') AS due, d.kind, d.title, d.content, d.details, d.expected_hours,
         d.admitted_item_id, i.admission_number, u.name AS department_name, c.name AS community_name
    FROM dispatch_delivery v
    JOIN dispatch d ON d.id = v.dispatch_id
    JOIN org_unit u ON u.id = v.department_id
    JOIN org_unit c ON c.id = v.community_id
    LEFT JOIN admitted_item i ON i.id = d.admitted_item_id`;

function toReceivedWork(r: ReceivedRow): ReceivedWorkDto {
  return {
    id: r.id,
    dispatchId: r.dispatch_id,
    kind: r.kind,
    title: r.title,
    content: r.content,
    details: r.details,
    dueDate: r.due,
    expectedHours: Number(r.expected_hours),
    departmentId: r.department_id,
    departmentName: r.department_name,
    admittedItemId: r.admitted_item_id,
    admissionNumber: r.admission_number,
    sentAt: new Date(r.sent_at).toISOString(),
    covered: r.covered,
    reasonCode: r.reason_code,
    rule: r.reasons[0]?.rule ?? '',
    reasons: r.reasons,
    state: r.state,
    acceptedAt: iso(r.accepted_at),
    doneAt: iso(r.done_at),
    hoursSpent: r.hours_spent === null ? null : Number(r.hours_spent),
    refusedAt: iso(r.refused_at),
    refusalReasonCode: r.refusal_reason_code,
    refusalRule: refusalRule(r.refusal_reason_code, r.reasons),
    refusalNote: r.refusal_note,
    withdrawnAt: iso(r.withdrawn_at),
    withdrawNote: r.withdraw_note,
    ...disputeOf(r),
  };
}
