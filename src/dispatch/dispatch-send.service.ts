import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { isBlank, type FieldProblem } from '../common/validation.js';
import type { Coverage } from './coverage.js';
import { CoverageGatherer, type Target } from './dispatch-coverage-gather.js';
import { Dispatch, DispatchDelivery, type DispatchDetails } from './dispatch.entities.js';
import { DispatchesService } from './dispatches.service.js';
import type { CommunityCoverageDto, CoveragePreviewDto, DispatchDto } from './dto/dispatch-responses.dto.js';
import type { SendDispatchDto } from './dto/dispatch.dto.js';

/**
 * Sending work (派单, DESIGN §2): a department sends work to communities within its reach; each community's
 * coverage is computed at send time (CoverageGatherer, coverage.ts) and stored with its piece. The preview
 * computes it the same way, by the same code, writing nothing.
 */
@Injectable()
export class DispatchSendService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly gatherer: CoverageGatherer,
    private readonly dispatches: DispatchesService,
  ) {}

  /** The coverage per community of a piece of work, computed as sending would, writing nothing. */
  async preview(p: Principal, dto: SendDispatchDto): Promise<CoveragePreviewDto> {
    this.validate(dto);
    const { targets, coverage } = await this.gatherer.coverage(this.dataSource.manager, p, dto);
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
    const id = await this.dataSource.transaction(async (m) => {
      // A retry of a dispatch sent is answered with it first: its due date or meeting may have passed since.
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
      this.validate(dto);
      const { targets, coverage } = await this.gatherer.coverage(m, p, dto);
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
      // In community order: the counters' triggers (migration 1797300000000) lock one counter row per community,
      // so two sends to overlapping communities take their locks in the same order across chunks (no deadlock).
      rows.sort((a, b) => (a.communityId < b.communityId ? -1 : a.communityId > b.communityId ? 1 : 0));
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
    return { dispatch: await this.dispatches.get(p, id.id), created: id.created };
  }

  /** Kind-specific required fields and the due date (400 naming the field). */
  private validate(dto: SendDispatchDto): void {
    const problems: FieldProblem[] = [];
    const need = (field: string, ok: boolean, zh: string, en = 'is required for this kind') => {
      if (!ok) problems.push({ field, problems: [`${zh}（${field}）必填。${field} ${en}.`] });
    };
    // Spaces only are no words (the DTO counts them as characters).
    need('title', !isBlank(dto.title), '工作标题', 'must not be blank');
    need('content', !isBlank(dto.content), '工作内容', 'must not be blank');
    if (dto.kind === 'stamp')
      need('certificateName', !isBlank(dto.certificateName), '盖章证明须写明证明名称');
    if (dto.kind === 'meeting') {
      need('meetingTime', !isBlank(dto.meetingTime), '会议须写明时间');
      need('meetingPlace', !isBlank(dto.meetingPlace), '会议须写明地点');
      const when = isBlank(dto.meetingTime) ? undefined : meetingInstant(dto.meetingTime!);
      if (when === null)
        problems.push({
          field: 'meetingTime',
          problems: [
            '会议时间（meetingTime）请按“2027-03-12 09:30”的格式填写（年-月-日 时:分，北京时间），且须是实有的日期和时刻。meetingTime must be a real time written YYYY-MM-DD HH:mm (China time).',
          ],
        });
      else if (when !== undefined && when < this.clock.now().getTime())
        problems.push({
          field: 'meetingTime',
          problems: ['会议时间不能早于现在。The meeting time is in the past.'],
        });
      // The meeting is the work: it is held by the day the work is due (a meeting after it asks the committee to
      // report done what has not yet happened).
      else if (when !== undefined && dto.meetingTime!.trim().slice(0, 10) > dto.dueDate)
        problems.push({
          field: 'meetingTime',
          problems: [
            `会议时间（${dto.meetingTime!.trim()}）晚于截止日期（${dto.dueDate}）：请把截止日期改为会议当天或之后，或提前会议时间。The meeting is after the due date; set the due date on or after the meeting day.`,
          ],
        });
    }
    if (dto.kind === 'report') need('reportFields', !!dto.reportFields?.length, '报表台账须列出填报字段');
    // A field of another kind is a mistake to say (the kind chosen wrongly, or a form that kept it), not to drop.
    const notFor = (field: string, given: boolean, zh: string, kinds: string, en: string) => {
      if (given)
        problems.push({
          field,
          problems: [
            `${zh}（${field}）只用于${kinds}；本次派单的类型不是，请删去此项或改选派单类型。${field} is only for ${en}; remove it or choose that kind.`,
          ],
        });
    };
    notFor(
      'reportFields',
      !!dto.reportFields?.length && dto.kind !== 'report' && dto.kind !== 'survey',
      '填报字段',
      '报表台账、调查统计',
      'report and survey',
    );
    notFor(
      'meetingTime',
      dto.meetingTime !== undefined && dto.kind !== 'meeting',
      '会议时间',
      '会议',
      'meeting',
    );
    notFor(
      'meetingPlace',
      dto.meetingPlace !== undefined && dto.kind !== 'meeting',
      '会议地点',
      '会议',
      'meeting',
    );
    notFor(
      'certificateName',
      dto.certificateName !== undefined && dto.kind !== 'stamp',
      '证明名称',
      '盖章证明',
      'stamp',
    );
    notFor(
      'scoresOnlineTime',
      dto.scoresOnlineTime !== undefined && dto.kind !== 'app-registration',
      '是否考核在线时长',
      '政务应用/账号（App、工作群）',
      'app-registration',
    );
    if (dto.dueDate < this.clock.today())
      problems.push({
        field: 'dueDate',
        problems: [`截止日期不能早于今天（${this.clock.today()}）。The due date is in the past.`],
      });
    if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
  }
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

/** A meeting's time `YYYY-MM-DD HH:mm` (China time) as an instant, or null when it is no such real time. */
function meetingInstant(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const at = Date.UTC(y, mo - 1, d, h - 8, mi);
  const back = new Date(at + 8 * 3600_000);
  const real =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi;
  return real ? at : null;
}
