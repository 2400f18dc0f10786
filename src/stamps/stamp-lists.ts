import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { StampEntry, StampList, type ListType, type TimeLimitKind } from './stamp-registry.entities.js';

export interface NewStampEntry {
  seq?: number | null;
  name: string;
  aliases?: string[];
  legalBasis: string;
  purpose?: string | null;
  conditions?: string | null;
  procedure?: string | null;
  sampleFormAttachmentId?: string | null;
  timeLimit?: { kind: 'on-the-spot' } | { kind: 'working-days'; workingDays: number } | null;
  /** Default: the list's. */
  effectiveFrom?: string;
  effectiveTo?: string | null;
}

export interface NewStampList {
  title: string;
  documentNumber: string;
  issuedBy: string;
  issuedOn: string;
  link?: string | null;
  listType: ListType;
  /** '' national, else a 2/4/6-digit division code. */
  scopeCode: string;
  effectiveFrom: string;
  effectiveTo?: string | null;
  recordedFrom?: string | null;
  entries: NewStampEntry[];
}

export interface PublishedStampList {
  list: StampList;
  entries: StampEntry[];
}

/**
 * Records a published list (version 1 of it and of each entry) in the caller's transaction, with an audit record.
 * Used by the shipped national list, the demo seed and tests; proposals and imports (later slices) end here too.
 */
export async function publishStampList(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  input: NewStampList,
): Promise<PublishedStampList> {
  const list = m.create(StampList, {
    id: randomUUID(),
    listKey: randomUUID(),
    version: 1,
    title: input.title,
    documentNumber: input.documentNumber,
    issuedBy: input.issuedBy,
    issuedOn: input.issuedOn,
    link: input.link ?? null,
    listType: input.listType,
    scopeCode: input.scopeCode,
    effectiveFrom: input.effectiveFrom,
    effectiveTo: input.effectiveTo ?? null,
    recordedFrom: input.recordedFrom ?? null,
  });
  await m.insert(StampList, list);
  const entries = input.entries.map((e) =>
    m.create(StampEntry, {
      id: randomUUID(),
      entryKey: randomUUID(),
      version: 1,
      listKey: list.listKey,
      seq: e.seq ?? null,
      name: e.name,
      aliases: e.aliases ?? [],
      legalBasis: e.legalBasis,
      purpose: e.purpose ?? null,
      conditions: e.conditions ?? null,
      procedure: e.procedure ?? null,
      sampleFormAttachmentId: e.sampleFormAttachmentId ?? null,
      timeLimitKind: (e.timeLimit?.kind ?? null) as TimeLimitKind | null,
      timeLimitWorkingDays: e.timeLimit?.kind === 'working-days' ? e.timeLimit.workingDays : null,
      effectiveFrom: e.effectiveFrom ?? input.effectiveFrom,
      effectiveTo: e.effectiveTo === undefined ? (input.effectiveTo ?? null) : e.effectiveTo,
    }),
  );
  if (entries.length) await m.insert(StampEntry, entries);
  await audit.record(m, actor, {
    action: 'stamp-list.published',
    entityType: 'stamp_list',
    entityId: list.id,
    data: {
      listKey: list.listKey,
      documentNumber: list.documentNumber,
      title: list.title,
      listType: list.listType,
      scopeCode: list.scopeCode,
      effectiveFrom: list.effectiveFrom,
      effectiveTo: list.effectiveTo,
      recordedFrom: list.recordedFrom,
      entries: entries.map((e) => e.name),
    },
  });
  return { list, entries };
}

/**
 * Records a new version of one entry (a change or, with an end date, a retirement) from its own effective date;
 * the earlier versions stay and keep answering for the days before. A version may not take effect before the
 * previous one did (the answers already given for those days must not change): 409 STAMP_ENTRY_BACKDATED.
 * Versions of one entry are numbered one at a time (a transaction-scoped lock on the entry); a number taken
 * meanwhile all the same answers 409 STAMP_ENTRY_VERSION_CONFLICT.
 */
export async function recordEntryVersion(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  entryKey: string,
  change: Partial<NewStampEntry> & { effectiveFrom: string },
): Promise<StampEntry> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('stamp_entry:' || $1, 0))`, [entryKey]);
  const [last] = await m.find(StampEntry, { where: { entryKey }, order: { version: 'DESC' }, take: 1 });
  if (!last) throw new Error(`no stamp entry ${entryKey}`);
  if (change.effectiveFrom < String(last.effectiveFrom))
    throw new AppError('STAMP_ENTRY_BACKDATED', {
      entryKey,
      effectiveFrom: change.effectiveFrom,
      previousEffectiveFrom: last.effectiveFrom,
    });
  const timeLimit =
    change.timeLimit === undefined
      ? { kind: last.timeLimitKind, days: last.timeLimitWorkingDays }
      : {
          kind: change.timeLimit?.kind ?? null,
          days: change.timeLimit?.kind === 'working-days' ? change.timeLimit.workingDays : null,
        };
  const next = m.create(StampEntry, {
    ...last,
    id: randomUUID(),
    version: last.version + 1,
    seq: change.seq === undefined ? last.seq : change.seq,
    name: change.name ?? last.name,
    aliases: change.aliases ?? last.aliases,
    legalBasis: change.legalBasis ?? last.legalBasis,
    purpose: change.purpose === undefined ? last.purpose : change.purpose,
    conditions: change.conditions === undefined ? last.conditions : change.conditions,
    procedure: change.procedure === undefined ? last.procedure : change.procedure,
    sampleFormAttachmentId:
      change.sampleFormAttachmentId === undefined
        ? last.sampleFormAttachmentId
        : change.sampleFormAttachmentId,
    timeLimitKind: timeLimit.kind,
    timeLimitWorkingDays: timeLimit.days,
    effectiveFrom: change.effectiveFrom,
    effectiveTo: change.effectiveTo === undefined ? last.effectiveTo : change.effectiveTo,
    recordedAt: undefined,
  });
  try {
    await m.insert(StampEntry, next);
  } catch (e) {
    if ((e as { driverError?: { code?: string } }).driverError?.code === '23505')
      throw new AppError('STAMP_ENTRY_VERSION_CONFLICT', { entryKey, version: next.version });
    throw e;
  }
  await audit.record(m, actor, {
    action: 'stamp-entry.versioned',
    entityType: 'stamp_entry',
    entityId: next.id,
    data: {
      entryKey,
      version: next.version,
      name: next.name,
      effectiveFrom: next.effectiveFrom,
      effectiveTo: next.effectiveTo,
    },
  });
  return next;
}
