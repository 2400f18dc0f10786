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
import { lockApplication } from './application-status.service.js';
import { AdmissionApplication } from './admission-application.entity.js';
import { AdmittedItem, AdmittedItemCommunity } from './admitted-item.entities.js';
import type { EmergencyItemDto } from './dto/emergency.dto.js';
import { RegularizationService } from './regularization.service.js';
import { isBlank } from '../common/validation.js';

const NUMBER_LOCK = 7270041;

/**
 * The register of admitted items (准入事项目录): admission and publication, entry, exit at the end date. Reading
 * the register (the public list, one item) is register-reads.service.ts; funding (费随事转) is funding.service.ts.
 */
@Injectable()
export class RegisterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly regularization: RegularizationService,
  ) {}

  /**
   * Signed off: numbers the item per leading group and year (〔2026〕第N号), publishes it, and opens each
   * target community: in force at once where no funding is due, otherwise awaiting its transfer.
   */
  async admit(m: EntityManager, applicationId: string, now: Date, actor: Actor = {}): Promise<AdmittedItem> {
    const app = await lockApplication(m, applicationId);
    if (!app) throw new Error(`application ${applicationId} not found`);
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
        fundingSource: app.fundingSource ?? null,
        reportFields: app.reportFields ?? [],
        noticeWorkingDays: app.noticeWorkingDays ?? null,
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
    // The version moves on in SQL: no version number is given twice (see ApplicationStatusService).
    await m
      .createQueryBuilder()
      .update(AdmissionApplication)
      .set({ status: 'admitted', version: () => 'version + 1' } as never)
      .where('id = :id', { id: app.id })
      .execute();
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
    // The regular item takes the emergency item's place community by community, as it comes into force there.
    if (app.regularizesItemId)
      await this.regularization.begin(
        m,
        actor,
        app.regularizesItemId,
        item,
        communities.map((c) => c.id),
        now,
      );
    if (due === 0n && communities.length)
      await this.recordEntered(
        m,
        actor,
        item.id,
        communities.map((c) => c.id),
        now,
      );
    return item;
  }

  /** 准入生效: the item entered these communities (in force there from now); an emergency item it replaces ends there. */
  async recordEntered(m: EntityManager, actor: Actor, itemId: string, communityIds: string[], now: Date) {
    await this.audit.record(m, actor, {
      action: 'item.entered-community',
      entityType: 'admitted_item',
      entityId: itemId,
      data: { communityIds },
    });
    await this.regularization.replaced(m, actor, itemId, communityIds, now);
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
   * 突发事件: the office admits an item at once, in force today in the target communities, for at most
   * EMERGENCY_MAX_DAYS; it exits by itself at its end unless regularized. Logged and flagged. 费随事转 holds for it
   * too (seed 002 §11): its funding per community and source are recorded and settled after the fact within the
   * funding window (funding.service.ts); unsettled then, it is flagged overdue, not lapsed.
   */
  async admitEmergency(
    actor: Actor,
    dto: EmergencyItemDto,
    start: (m: EntityManager, item: AdmittedItem) => Promise<void>,
  ): Promise<AdmittedItem> {
    const p = actor.principal!;
    if (dto.fundingPerCommunityFen > 0 && isBlank(dto.fundingSource))
      throw new AppError('VALIDATION_FAILED', [
        {
          field: 'fundingSource',
          problems: [
            '有经费时须写明经费来源（如部门预算、专项资金）。Name where the funding comes from (a budget line, a special fund) when funding is due.',
          ],
        },
      ]);
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
      const ok = await this.scope.communitiesInArea(m, dto.targetCommunityIds, level.levelPath!);
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
      const due = BigInt(dto.fundingPerCommunityFen);
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
          fundingPerCommunityFen: due.toString(),
          fundingSource: due > 0n ? dto.fundingSource!.trim() : null,
          signedAt: now,
          fundingDeadline:
            due > 0n ? new Date(now.getTime() + this.config.env.ADMISSION_FUNDING_DAYS * 86400_000) : now,
        }),
      );
      await m.insert(
        AdmittedItemCommunity,
        dto.targetCommunityIds.map((communityId) => ({
          itemId: item.id,
          communityId,
          fundingDueFen: due.toString(),
          // In force at once either way; the funding, if any, is awaited after the fact.
          fundingStatus: due > 0n ? ('awaiting' as const) : ('not_required' as const),
          enteredAt: now,
        })),
      );
      await start(m, item);
      await this.audit.record(m, actor, {
        action: 'item.emergency-admitted',
        entityType: 'admitted_item',
        entityId: item.id,
        data: {
          days: dto.days,
          reason: dto.reason,
          fundingDueFen: due.toString(),
          fundingSource: item.fundingSource,
        },
      });
      await this.recordEntered(m, actor, item.id, dto.targetCommunityIds, now);
      return item;
    });
  }

  /** The instant an item stops being in force: the start of the day after its end date, China time. */
  expiresAt(item: Pick<AdmittedItem, 'endDate'>): Date {
    return dayStartCst(nextDay(item.endDate));
  }

  /**
   * At its end date an item exits every community by itself; nothing is deleted. A regularized emergency item
   * ends community by community as the regular item comes into force (regularization.service.ts), not here.
   */
  async expire(m: EntityManager, itemId: string, actor: Actor = {}): Promise<void> {
    const item = await m.findOneByOrFail(AdmittedItem, { id: itemId });
    if (item.exitedAt || item.regularizedByItemId) return;
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
}
