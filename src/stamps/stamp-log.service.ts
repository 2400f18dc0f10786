import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor, Principal } from '../common/actor.js';
import { cstDay } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { rowsOf } from '../common/sql.js';
import type { RecordStampDto } from './dto/stamp-log.dto.js';
import type { LoggedDecision } from './stamp-log.entities.js';
import {
  committeeOf,
  overseerOf,
  SELECT_ENTRY,
  toView,
  type EntryRow,
  type StampLogCount,
  type StampLogView,
} from './stamp-log-rows.js';
import { StampRegistryService, type StampAnswer } from './stamp-registry.service.js';
import { assertOnRoster } from './stamp-roster.service.js';
import { isBlank } from '../common/validation.js';

export interface StampLogFilter {
  from?: string;
  to?: string;
  certificate?: string;
  community?: string;
}

/** The earliest stamp the log takes (older paper records are not typed in here). */
const EARLIEST = Date.parse('2000-01-01T00:00:00+08:00');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (field: string, problem: string) =>
  new AppError('VALIDATION_FAILED', [{ field, problems: [problem] }]);

/**
 * The committee's stamp log (用印登记, issue 13 §6): what was stamped, when, for whom, by which two members, and
 * what the registry answered that day. Append-only: a mistake is voided with a reason, a correction is a new
 * entry naming the one it replaces.
 */
@Injectable()
export class StampLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly registry: StampRegistryService,
    private readonly audit: AuditService,
    private readonly scope: OrgScope,
  ) {}

  /**
   * Records a stamp of the caller's community. Issue 13 §6: the name is checked against the registry on the day of
   * the stamp — prohibited is refused (409 STAMP_PROHIBITED, citing the list), not-listed needs a legal basis;
   * handler and approver are two different members on the community's stamp roster (temporary staff are not).
   */
  async record(actor: Actor, dto: RecordStampDto): Promise<StampLogView> {
    const p = committeeOf(actor);
    const stampedMs = Date.parse(dto.stampedAt);
    if (stampedMs > this.clock.nowMs())
      throw invalid(
        'stampedAt',
        '用印时间（stampedAt）不能晚于现在，请填写实际盖章的时间。stampedAt must not be in the future.',
      );
    if (stampedMs < EARLIEST)
      throw invalid(
        'stampedAt',
        '用印时间（stampedAt）不能早于 2000 年 1 月 1 日。stampedAt must not be before 2000-01-01.',
      );
    if (dto.handlerId.toLowerCase() === dto.approverId.toLowerCase())
      throw invalid(
        'approverId',
        '审批人（approverId）不能与经办人相同：用印须由两名不同的人员经办和审批。approverId must be someone other than the handler.',
      );
    if ((dto.correctsId === undefined) !== !dto.correctionReason)
      throw invalid(
        dto.correctsId === undefined ? 'correctsId' : 'correctionReason',
        '更正登记须同时填写所更正的登记（correctsId）和更正理由（correctionReason）。A correction needs both correctsId and correctionReason.',
      );
    const stampedAt = new Date(stampedMs);
    const stampedOn = cstDay(stampedAt);
    const answer = await this.ask(dto.certificateName, p.unitId, stampedOn);
    if (answer.decision === 'prohibited' && answer.deciding) {
      const d = answer.deciding;
      const cited = `${sourceOf(answer)}第${d.entry.seq ?? '—'}项“${d.entry.name}”`;
      throw new AppError(
        'STAMP_PROHIBITED',
        {
          certificateName: dto.certificateName,
          item: { id: d.entry.id, name: d.entry.name, legalBasis: d.entry.legalBasis },
          source: { documentNumber: d.list.documentNumber, title: d.list.title },
        },
        `不能盖章，也不能登记：“${dto.certificateName}”属于${cited}，是不应由社区居委会出具的证明事项（${d.entry.legalBasis}）。请告知办事人向负责该事项的部门办理，或改用本人承诺、部门间核查等方式。The certificate is on the list ${d.list.documentNumber} (“${d.entry.name}”) of certificates committees must not issue; it may not be stamped or recorded.`,
      );
    }
    const listed = answer.decision === 'allowed' && answer.deciding ? answer.deciding : null;
    const enteredBasis = isBlank(dto.legalBasis) ? '' : dto.legalBasis!.trim();
    if (!listed && !enteredBasis)
      throw invalid(
        'legalBasis',
        `法律依据（legalBasis）须填写：“${dto.certificateName}”不在本社区适用的盖章证明事项清单中，请写明要求出具该证明的法律法规及条款（民发〔2020〕20号：没有法律依据的证明社区不出具）。legalBasis is required: the certificate is not listed; enter the law and article that provides for it.`,
      );
    return this.dataSource.transaction(async (m) => {
      await assertOnRoster(m, p.unitId, dto.handlerId, 'handlerId');
      await assertOnRoster(m, p.unitId, dto.approverId, 'approverId');
      if (dto.correctsId) await this.lockOpenEntry(m, p.unitId, dto.correctsId);
      const inserted: { id: string }[] = await m.query(
        `INSERT INTO stamp_log_entry (community_id, stamped_at, stamped_on, certificate_name, decision, deciding_entry_id,
                deciding_entry_key, listed_name, source_list_id, source_document, legal_basis, legal_basis_entered, purpose,
                copies, requester_name, requester_phone, handler_id, approver_id, recorded_by, recorded_at, corrects_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         RETURNING id`,
        [
          p.unitId,
          stampedAt,
          stampedOn,
          dto.certificateName,
          listed ? 'allowed' : 'not-listed',
          listed?.entry.id ?? null,
          listed?.entry.entryKey ?? null,
          listed?.entry.name ?? null,
          listed?.list.id ?? null,
          listed ? sourceOf(answer) : null,
          listed ? listed.entry.legalBasis : enteredBasis,
          !listed,
          dto.purpose,
          dto.copies,
          dto.requesterName,
          dto.requesterPhone,
          dto.handlerId,
          dto.approverId,
          p.userId,
          this.clock.now(),
          dto.correctsId ?? null,
        ],
      );
      const id = inserted[0].id;
      await this.audit.record(m, actor, {
        action: 'stamp-log.recorded',
        entityType: 'stamp-log-entry',
        entityId: id,
        data: {
          communityId: p.unitId,
          stampedAt: stampedAt.toISOString(),
          certificateName: dto.certificateName,
          decision: listed ? 'allowed' : 'not-listed',
          decidingEntryId: listed?.entry.id ?? null,
          copies: dto.copies,
          handlerId: dto.handlerId,
          approverId: dto.approverId,
          correctsId: dto.correctsId ?? null,
        },
      });
      if (dto.correctsId) await this.insertVoid(m, actor, dto.correctsId, dto.correctionReason!, id);
      return (await this.read(m, p, 'e.id = $1', [id]))!;
    });
  }

  /** Voids an entry of the caller's community with a reason; an entry is voided once (409 after). */
  async void(actor: Actor, id: string, reason: string): Promise<StampLogView> {
    const p = committeeOf(actor);
    return this.dataSource.transaction(async (m) => {
      await this.lockOpenEntry(m, p.unitId, id);
      await this.insertVoid(m, actor, id, reason, null);
      return (await this.read(m, p, 'e.id = $1', [id]))!;
    });
  }

  /** The caller's community's log, newest stamp first; another community's entries are never in it. */
  async listMine(actor: Actor, f: StampLogFilter, pq: PageQuery): Promise<Page<StampLogView>> {
    const p = committeeOf(actor);
    return this.list(p, 'e.community_id = $1', [p.unitId], f, pq);
  }

  async getMine(actor: Actor, id: string): Promise<StampLogView> {
    const p = committeeOf(actor);
    const found = await this.read(this.dataSource.manager, p, 'e.id = $1 AND e.community_id = $2', [
      id,
      p.unitId,
    ]);
    if (!found) throw new AppError('STAMP_LOG_NOT_FOUND');
    return found;
  }

  /** The entries of the communities in the caller's area (a street its own, the district office its district). */
  async listInArea(actor: Actor, f: StampLogFilter, pq: PageQuery): Promise<Page<StampLogView>> {
    const p = overseerOf(actor);
    const communityId = f.community ? await this.communityInArea(p, f.community) : null;
    return communityId
      ? this.list(p, 'e.community_id = $1', [communityId], f, pq)
      : this.list(p, this.scope.sqlInArea('c.path', '$1'), [p.scopePath], f, pq);
  }

  async getInArea(actor: Actor, id: string): Promise<StampLogView> {
    const p = overseerOf(actor);
    const found = await this.read(
      this.dataSource.manager,
      p,
      `e.id = $1 AND ${this.scope.sqlInArea('c.path', '$2')}`,
      [id, p.scopePath],
    );
    if (!found) throw new AppError('STAMP_LOG_NOT_FOUND');
    return found;
  }

  /**
   * Issue 13 §6: the street and the district see how many stamps per community and certificate (voided entries
   * left out) between two days, in their area.
   */
  async counts(
    actor: Actor,
    f: { from: string; to: string; community?: string },
    pq: PageQuery,
  ): Promise<Page<StampLogCount>> {
    const p = overseerOf(actor);
    assertRange(f.from, f.to);
    const communityId = f.community ? await this.communityInArea(p, f.community) : null;
    const where = `${this.scope.sqlInArea('c.path', '$1')} AND e.stamped_on BETWEEN $2::date AND $3::date
      AND ($4::uuid IS NULL OR e.community_id = $4::uuid)
      AND NOT EXISTS (SELECT 1 FROM stamp_log_void v WHERE v.entry_id = e.id)`;
    const grouped = `SELECT c.id, c.code, c.name, e.decision,
             min(COALESCE(e.listed_name, e.certificate_name)) AS certificate,
             count(*)::int AS entries, sum(e.copies)::int AS copies
        FROM stamp_log_entry e JOIN org_unit c ON c.id = e.community_id
       WHERE ${where}
       GROUP BY c.id, c.code, c.name, e.decision, COALESCE(e.deciding_entry_key::text, e.certificate_name)`;
    const params = [p.scopePath, f.from, f.to, communityId];
    const req = pageRequest(pq);
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM (${grouped}) g`,
      params,
    );
    const rows: {
      id: string;
      code: string;
      name: string;
      decision: LoggedDecision;
      certificate: string;
      entries: number;
      copies: number;
    }[] = await this.dataSource.query(
      `${grouped} ORDER BY c.code, entries DESC, certificate LIMIT $5 OFFSET $6`,
      [...params, req.pageSize, req.offset],
    );
    return toPage(
      rows.map((r) => ({
        community: { id: r.id, code: r.code, name: r.name },
        certificate: r.certificate,
        decision: r.decision,
        entries: r.entries,
        copies: r.copies,
      })),
      total,
      req,
    );
  }

  /** The registry's answer on the day; its 400 for an over-long name names this route's field. */
  private async ask(name: string, communityId: string, day: string): Promise<StampAnswer> {
    try {
      return await this.registry.check(name, communityId, day);
    } catch (e) {
      if (e instanceof AppError && e.code === 'VALIDATION_FAILED')
        throw invalid(
          'certificateName',
          '证明名称（certificateName）规范化后超过 100 个字，请输入证明的名称。certificateName is longer than 100 characters once normalised.',
        );
      throw e;
    }
  }

  /** A community of the caller's area by unit code or id; any other answers 404 as a missing one. */
  private async communityInArea(p: Principal, param: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM org_unit
        WHERE kind = 'COMMUNITY' AND (code = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid))
          AND ${this.scope.sqlInArea('path', '$3')}
        LIMIT 1`,
      [param, UUID.test(param) ? param : null, p.scopePath],
    );
    if (!rows.length)
      throw new AppError(
        'COMMUNITY_NOT_FOUND',
        { community: param },
        '找不到该社区：请填写您辖区内社区的社区代码（如 339901001001）或编号，不能只填名称。No community of your area has this code or id (a name is not accepted here).',
      );
    return rows[0].id;
  }

  /** Locks an entry of the community that is not voided yet: a missing or foreign one 404, a voided one 409. */
  private async lockOpenEntry(m: EntityManager, communityId: string, id: string): Promise<void> {
    const rows: { voided: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM stamp_log_void v WHERE v.entry_id = e.id) AS voided
         FROM stamp_log_entry e WHERE e.id = $1 AND e.community_id = $2 FOR UPDATE`,
      [id, communityId],
    );
    if (!rows.length) throw new AppError('STAMP_LOG_NOT_FOUND');
    if (rows[0].voided) throw new AppError('STAMP_LOG_ALREADY_VOIDED');
  }

  private async insertVoid(
    m: EntityManager,
    actor: Actor,
    entryId: string,
    reason: string,
    correctedBy: string | null,
  ): Promise<void> {
    const rows: unknown[] = rowsOf(
      await m.query(
        `INSERT INTO stamp_log_void (entry_id, reason, voided_by, voided_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (entry_id) DO NOTHING RETURNING id`,
        [entryId, reason, actor.principal!.userId, this.clock.now()],
      ),
    );
    if (!rows.length) throw new AppError('STAMP_LOG_ALREADY_VOIDED');
    await this.audit.record(m, actor, {
      action: 'stamp-log.voided',
      entityType: 'stamp-log-entry',
      entityId: entryId,
      data: { reason, correctedBy },
    });
  }

  private async list(
    p: Principal,
    base: string,
    params: unknown[],
    f: StampLogFilter,
    pq: PageQuery,
  ): Promise<Page<StampLogView>> {
    if (f.from && f.to) assertRange(f.from, f.to);
    const n = params.length;
    const where = `${base}
      AND ($${n + 1}::date IS NULL OR e.stamped_on >= $${n + 1}::date)
      AND ($${n + 2}::date IS NULL OR e.stamped_on <= $${n + 2}::date)
      AND ($${n + 3}::text IS NULL OR e.certificate_name ILIKE $${n + 3} ESCAPE '\\' OR e.listed_name ILIKE $${n + 3} ESCAPE '\\')`;
    const all = [
      ...params,
      f.from ?? null,
      f.to ?? null,
      f.certificate ? `%${likeEscape(f.certificate)}%` : null,
    ];
    const req = pageRequest(pq);
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM stamp_log_entry e JOIN org_unit c ON c.id = e.community_id WHERE ${where}`,
      all,
    );
    const rows: EntryRow[] = await this.dataSource.query(
      `${SELECT_ENTRY} WHERE ${where} ORDER BY e.stamped_at DESC, e.recorded_at DESC, e.id
        LIMIT $${n + 4} OFFSET $${n + 5}`,
      [...all, req.pageSize, req.offset],
    );
    return toPage(
      rows.map((r) => toView(r, p)),
      total,
      req,
    );
  }

  private async read(
    m: EntityManager,
    p: Principal,
    where: string,
    params: unknown[],
  ): Promise<StampLogView | null> {
    const rows: EntryRow[] = await m.query(`${SELECT_ENTRY} WHERE ${where}`, params);
    return rows.length ? toView(rows[0], p) : null;
  }
}

function assertRange(from: string, to: string): void {
  if (from > to) throw invalid('to', '结束日期（to）不能早于开始日期（from）。to must not be before from.');
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The deciding entry's document as cited: 示范市《…》（示民发〔2021〕15号）. */
function sourceOf(a: StampAnswer): string {
  const d = a.deciding!;
  const scope = a.scopes.get(d.list.scopeCode)?.name ?? '';
  return `${scope}《${d.list.title}》（${d.list.documentNumber}）`;
}
