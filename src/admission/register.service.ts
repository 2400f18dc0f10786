import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { levelUnitsOf } from '../org/level-units.service.js';
import { addDays, cstDay, dayStartCst, nextDay } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AdmissionApplication } from './admission-application.entity.js';
import { AdmittedItem, AdmittedItemCommunity } from './admitted-item.entities.js';
import type { EmergencyItemDto } from './dto/emergency.dto.js';
import type { RegisterEntry } from './dto/item-responses.dto.js';
import { inForceSql } from './in-force.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

const NUMBER_LOCK = 7270041;

/** The register of admitted items (准入事项目录): admission and publication, entry, exit at the end date, the public register. Funding before entry (费随事转) is funding.service.ts. */
@Injectable()
export class RegisterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
  ) {}

  /**
   * Signed off: numbers the item per leading group and year (〔2026〕第N号), publishes it, and opens each
   * target community: in force at once where no funding is due, otherwise awaiting its transfer.
   */
  async admit(m: EntityManager, applicationId: string, now: Date, actor: Actor = {}): Promise<AdmittedItem> {
    const app = await m.findOneByOrFail(AdmissionApplication, { id: applicationId });
    const level = await levelUnitsOf(m, app.applicantUnitId);
    const { year, seq } = await this.nextNumber(m, level.groupId!, now);
    const item = await m.save(
      m.create(AdmittedItem, {
        applicationId: app.id,
        leadingGroupId: level.groupId!,
        departmentId: app.applicantUnitId,
        numberYear: year,
        numberSeq: seq,
        admissionNumber: `〔${year}〕第${seq}号`,
        emergency: false,
        kind: app.kind!,
        title: app.title!,
        statutoryArea: app.statutoryArea!,
        legalBasis: [app.legalBasisDocument, app.legalBasisArticle].filter(Boolean).join(' ') || null,
        authorizedContent: app.authorizedContent!,
        targetPopulation: app.targetPopulation!,
        powers: app.powers!,
        startDate: app.startDate!,
        endDate: app.endDate!,
        fundingPerCommunityFen: app.fundingPerCommunityFen ?? '0',
        reportFields: app.reportFields ?? [],
        overriddenFindings: app.findings.filter((f) => f.override),
        signedAt: now,
        fundingDeadline: new Date(now.getTime() + this.config.env.ADMISSION_FUNDING_DAYS * 86400_000),
      }),
    );
    const communities: { id: string }[] = (
      app.targetScope === 'all'
        ? app.targetUnitId
          ? await this.scope.communitiesUnder(m, app.targetUnitId)
          : []
        : app.targetCommunityIds
    ).map((id) => ({ id }));
    const due = BigInt(app.fundingPerCommunityFen ?? '0');
    if (communities.length) {
      await m.insert(
        AdmittedItemCommunity,
        communities.map((c) => ({
          itemId: item.id,
          communityId: c.id,
          fundingDueFen: due.toString(),
          fundingStatus: due === 0n ? 'not_required' : 'awaiting',
          enteredAt: due === 0n ? now : null,
        })),
      );
    }
    await m.update(AdmissionApplication, { id: app.id }, { status: 'admitted', version: app.version + 1 });
    await this.audit.record(m, actor, {
      action: 'item.admitted',
      entityType: 'admitted_item',
      entityId: item.id,
      data: {
        applicationId: app.id,
        admissionNumber: item.admissionNumber,
        communities: communities.length,
        fundingDueFen: due.toString(),
        overriddenFindings: app.findings.filter((f) => f.override).map((f) => f.code ?? f.check),
      },
    });
    if (due === 0n && communities.length)
      await this.recordEntered(
        m,
        actor,
        item.id,
        communities.map((c) => c.id),
      );
    if (app.regularizesItemId) {
      // The regular item takes the emergency item's place from now on.
      await m.query(
        'UPDATE admitted_item_community SET exited_at = $2 WHERE item_id = $1 AND exited_at IS NULL',
        [app.regularizesItemId, now],
      );
      await m.update(
        AdmittedItem,
        { id: app.regularizesItemId },
        { exitedAt: now, exitReason: `转为正常准入 ${item.admissionNumber}`, regularizedByItemId: item.id },
      );
      await this.audit.record(m, actor, {
        action: 'item.exited',
        entityType: 'admitted_item',
        entityId: app.regularizesItemId,
        data: { reason: 'regularized', regularizedByItemId: item.id },
      });
    }
    return item;
  }

  /** 准入生效: the item entered these communities (in force there from now). */
  async recordEntered(m: EntityManager, actor: Actor, itemId: string, communityIds: string[]) {
    await this.audit.record(m, actor, {
      action: 'item.entered-community',
      entityType: 'admitted_item',
      entityId: itemId,
      data: { communityIds },
    });
  }

  /** The next admission number of a leading group in the year of `now` (China time), under a lock. */
  private async nextNumber(
    m: EntityManager,
    groupId: string,
    now: Date,
  ): Promise<{ year: number; seq: number }> {
    const year = Number(cstDay(now).slice(0, 4));
    await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NUMBER_LOCK, `${groupId}:${year}`]);
    const next = await m.query(
      'SELECT coalesce(max(number_seq), 0)::int + 1 AS seq FROM admitted_item WHERE leading_group_id = $1 AND number_year = $2',
      [groupId, year],
    );
    return { year, seq: next[0].seq as number };
  }

  /**
   * 突发事件: the office admits an item at once, in force today in the target communities with no funding
   * step, for at most EMERGENCY_MAX_DAYS; it exits by itself at its end unless regularized. Logged and flagged.
   */
  async admitEmergency(
    actor: Actor,
    dto: EmergencyItemDto,
    start: (m: EntityManager, item: AdmittedItem) => Promise<void>,
  ): Promise<AdmittedItem> {
    const p = actor.principal!;
    if (dto.days > this.config.env.EMERGENCY_MAX_DAYS) {
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'days',
          problems: [
            `应急准入最长 ${this.config.env.EMERGENCY_MAX_DAYS} 天。An emergency admission lasts at most ${this.config.env.EMERGENCY_MAX_DAYS} days.`,
          ],
        },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      const level = await levelUnitsOf(m, dto.departmentId);
      const office = await m.query('SELECT 1 FROM org_unit WHERE id = $1 AND kind = $2', [
        dto.departmentId,
        'DEPARTMENT',
      ]);
      if (!office.length || level.officeId !== p.unitId) throw new AppError('UNIT_NOT_FOUND');
      const levelPath = (await m.query('SELECT path FROM org_unit WHERE id = $1', [level.levelId]))[0]
        .path as string;
      const ok = await this.scope.communitiesInArea(m, dto.targetCommunityIds, levelPath);
      const bad = dto.targetCommunityIds.filter((c) => !ok.includes(c));
      if (bad.length)
        throw new AppError('VALIDATION_FAILED', [
          {
            field: 'targetCommunityIds',
            problems: [`以下社区不在本级辖区内：${bad.join('、')}。Not communities of your area.`],
          },
        ]);
      const now = this.clock.now();
      const today = cstDay(now);
      const end = addDays(today, dto.days - 1);
      const { year, seq } = await this.nextNumber(m, level.groupId!, now);
      const item = await m.save(
        m.create(AdmittedItem, {
          applicationId: null,
          emergency: true,
          emergencyReason: dto.reason,
          leadingGroupId: level.groupId!,
          departmentId: dto.departmentId,
          numberYear: year,
          numberSeq: seq,
          admissionNumber: `〔${year}〕第${seq}号（应急）`,
          kind: dto.kind,
          title: dto.title,
          statutoryArea: dto.statutoryArea,
          legalBasis: null,
          authorizedContent: dto.authorizedContent,
          targetPopulation: dto.targetPopulation,
          powers: dto.powers,
          startDate: today,
          endDate: end,
          fundingPerCommunityFen: '0',
          signedAt: now,
          fundingDeadline: now,
        }),
      );
      await m.insert(
        AdmittedItemCommunity,
        dto.targetCommunityIds.map((communityId) => ({
          itemId: item.id,
          communityId,
          fundingDueFen: '0',
          fundingStatus: 'not_required' as const,
          enteredAt: now,
        })),
      );
      await start(m, item);
      await this.audit.record(m, actor, {
        action: 'item.emergency-admitted',
        entityType: 'admitted_item',
        entityId: item.id,
        data: { days: dto.days, reason: dto.reason },
      });
      await this.recordEntered(m, actor, item.id, dto.targetCommunityIds);
      return item;
    });
  }

  /** The instant an item stops being in force: the start of the day after its end date, China time. */
  expiresAt(item: Pick<AdmittedItem, 'endDate'>): Date {
    return dayStartCst(nextDay(item.endDate));
  }

  /** At its end date an item exits every community by itself; nothing is deleted. */
  async expire(m: EntityManager, itemId: string, actor: Actor = {}): Promise<void> {
    const item = await m.findOneByOrFail(AdmittedItem, { id: itemId });
    if (item.exitedAt) return;
    const at = this.expiresAt(item);
    await m.query(
      'UPDATE admitted_item_community SET exited_at = $2 WHERE item_id = $1 AND exited_at IS NULL',
      [itemId, at],
    );
    await m.update(
      AdmittedItem,
      { id: itemId },
      { exitedAt: at, exitReason: '时限届满 expired at its end date' },
    );
    await this.audit.record(m, actor, {
      action: 'item.expired',
      entityType: 'admitted_item',
      entityId: itemId,
      data: { exitedAt: at.toISOString() },
    });
  }

  /**
   * Public register: items in force (in-force.ts) on `asOf` (default today, China time) — in the given
   * community (its list, in one call), or anywhere.
   */
  async inForce(
    communityCode: string | undefined,
    asOf: string | undefined,
    q: PageQuery = {},
  ): Promise<Page<RegisterEntry>> {
    const day = asOf ?? this.clock.today();
    const page = pageRequest(q);
    const inForce = inForceSql({ on: day }, 2);
    const paging = 2 + inForce.params.length;
    const rows: (Record<string, unknown> & {
      communities: RegisterEntry['communities'];
      total_count: string;
    })[] = await this.dataSource.query(
      `SELECT count(*) OVER () AS total_count, i.id, i.admission_number, i.emergency, i.title, i.kind, i.statutory_area, i.legal_basis, i.authorized_content, i.target_population,
              i.powers, to_char(i.start_date, 'YYYY-MM-DD') AS start_date, to_char(i.end_date, 'YYYY-MM-DD') AS end_date,
              i.funding_per_community_fen,
              json_agg(json_build_object('code', u.code, 'name', u.name, 'fundingStatus', c.funding_status, 'enteredAt', c.entered_at)
                       ORDER BY u.code) AS communities
         FROM (${inForce.sql}) f
         JOIN admitted_item i ON i.id = f.item_id
         JOIN admitted_item_community c ON c.item_id = f.item_id AND c.community_id = f.community_id
         JOIN org_unit u ON u.id = c.community_id
        WHERE ($1::text IS NULL OR u.code = $1)
        GROUP BY i.id
        ORDER BY i.number_year, i.admission_number, i.id
        LIMIT $${paging} OFFSET $${paging + 1}`,
      [communityCode ?? null, ...inForce.params, page.pageSize, page.offset],
    );
    // A page past the end carries no row, hence no total: count what the first page would list.
    const total = rows.length
      ? Number(rows[0].total_count)
      : page.offset > 0
        ? (await this.inForce(communityCode, day, { page: 1, pageSize: 1 })).total
        : 0;
    const items = rows.map((r) => ({
      id: r.id as string,
      admissionNumber: r.admission_number as string,
      emergency: r.emergency as boolean,
      title: r.title as string,
      kind: r.kind as string,
      statutoryArea: r.statutory_area as string,
      legalBasis: r.legal_basis as string | null,
      authorizedContent: r.authorized_content as string,
      targetPopulation: r.target_population as string,
      powers: r.powers as string,
      startDate: r.start_date as string,
      endDate: r.end_date as string,
      fundingPerCommunityFen: Number(r.funding_per_community_fen),
      communities: r.communities,
    }));
    return toPage(items, total, page);
  }

  async unitCode(unitId: string): Promise<string | null> {
    const rows: { code: string }[] = await this.dataSource.query('SELECT code FROM org_unit WHERE id = $1', [
      unitId,
    ]);
    return rows[0]?.code ?? null;
  }

  /** One admitted item with the funding state of every target community. */
  async item(id: string) {
    const item = await this.dataSource.getRepository(AdmittedItem).findOneBy({ id });
    if (!item) throw new AppError('ADMITTED_ITEM_NOT_FOUND');
    const communities = await this.dataSource.query(
      `SELECT u.id AS "communityId", u.code, u.name, c.funding_due_fen::bigint AS "fundingDueFen", c.funding_status AS "fundingStatus",
              c.entered_at AS "enteredAt", c.lapsed_at AS "lapsedAt", c.exited_at AS "exitedAt"
         FROM admitted_item_community c JOIN org_unit u ON u.id = c.community_id WHERE c.item_id = $1 ORDER BY u.code`,
      [id],
    );
    return {
      ...item,
      fundingPerCommunityFen: Number(item.fundingPerCommunityFen),
      communities: communities.map((c: { fundingDueFen: string }) => ({
        ...c,
        fundingDueFen: Number(c.fundingDueFen),
      })),
    };
  }
}
