import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { FieldProblem } from '../common/validation.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import type { NegativeListChangeDto } from './dto/negative-list.dto.js';
import { NegativeListChange, NegativeListItem } from './reference.entities.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

/** The negative list is data with its source; the office changes it only through an approval flow. */
@Injectable()
export class NegativeListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async propose(actor: Actor, dto: NegativeListChangeDto): Promise<NegativeListChange> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const existing = await m.findOneBy(NegativeListItem, { code: dto.code });
      const problems: FieldProblem[] = [];
      if (dto.action === 'add' && existing)
        problems.push({
          field: 'code',
          problems: ['该编码已在负面清单中。The code is already on the list.'],
        });
      if (dto.action !== 'add' && !existing)
        problems.push({ field: 'code', problems: ['负面清单中没有该编码。No entry has this code.'] });
      const entry =
        dto.action === 'deactivate'
          ? null
          : {
              ...(existing ?? {}),
              ...stripUndefined({
                nameZh: dto.nameZh,
                nameEn: dto.nameEn,
                appliesTo: dto.appliesTo,
                keywords: dto.keywords,
                source: dto.source,
              }),
            };
      if (entry) {
        for (const f of ['nameZh', 'nameEn', 'appliesTo', 'keywords', 'source'] as const) {
          if (entry[f] === undefined || entry[f] === '')
            problems.push({ field: f, problems: [`请填写 ${f}。${f} is required.`] });
        }
      }
      if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
      const change = await m.save(
        m.create(NegativeListChange, {
          action: dto.action,
          code: dto.code,
          entry: entry as Record<string, unknown> | null,
          reason: dto.reason,
          proposedBy: p.userId,
          status: 'open',
        }),
      );
      const started = await this.runtime.start(
        actor,
        {
          processId: 'negativeList',
          businessKey: change.id,
          ownerUnitId: p.unitId,
          variables: { changeId: change.id },
        },
        m,
      );
      await m.update(NegativeListChange, { id: change.id }, { instanceId: started.id });
      await this.audit.record(m, actor, {
        action: 'negative-list.proposed',
        entityType: 'negative_list_change',
        entityId: change.id,
        data: { ...dto },
      });
      return m.findOneByOrFail(NegativeListChange, { id: change.id });
    });
  }

  /** Proposed and decided changes, newest first. */
  async list(q: PageQuery = {}): Promise<Page<NegativeListChange>> {
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource.getRepository(NegativeListChange).findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
    return toPage(rows, total, page);
  }

  /** Approved: the change takes effect (entries are retired, never deleted). */
  async apply(m: EntityManager, changeId: string, actor: Actor = {}): Promise<void> {
    const change = await m.findOneByOrFail(NegativeListChange, { id: changeId });
    const e = (change.entry ?? {}) as {
      nameZh: string;
      nameEn: string;
      appliesTo: string;
      keywords: string[];
      source: string;
    };
    if (change.action === 'add') {
      await m.insert(NegativeListItem, {
        code: change.code,
        nameZh: e.nameZh,
        nameEn: e.nameEn,
        appliesTo: e.appliesTo,
        keywords: e.keywords,
        source: e.source,
        active: true,
      });
    } else if (change.action === 'update') {
      await m.update(
        NegativeListItem,
        { code: change.code },
        {
          nameZh: e.nameZh,
          nameEn: e.nameEn,
          appliesTo: e.appliesTo,
          keywords: e.keywords,
          source: e.source,
          active: true,
        },
      );
    } else {
      await m.update(NegativeListItem, { code: change.code }, { active: false });
    }
    await m.update(NegativeListChange, { id: changeId }, { status: 'applied', decidedAt: this.clock.now() });
    await this.audit.record(m, actor, {
      action: 'negative-list.applied',
      entityType: 'negative_list_item',
      entityId: change.code,
      data: { changeId, change: change.action },
    });
  }

  async decline(m: EntityManager, changeId: string, actor: Actor = {}): Promise<void> {
    await m.update(NegativeListChange, { id: changeId }, { status: 'rejected', decidedAt: this.clock.now() });
    await this.audit.record(m, actor, {
      action: 'negative-list.declined',
      entityType: 'negative_list_change',
      entityId: changeId,
    });
  }
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
