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

/** The newest version of a list (null: no such list). */
export async function latestListVersion(m: EntityManager, listKey: string): Promise<StampList | null> {
  const [last] = await m.find(StampList, { where: { listKey }, order: { version: 'DESC' }, take: 1 });
  return last ?? null;
}

/** The newest version of an entry (null: no such entry). */
export async function latestEntryVersion(m: EntityManager, entryKey: string): Promise<StampEntry | null> {
  const [last] = await m.find(StampEntry, { where: { entryKey }, order: { version: 'DESC' }, take: 1 });
  return last ?? null;
}

/**
 * Serializes the changes to one list or entry within the caller's transaction (the proposal's approval checks
 * under it, then publishes): a transaction-scoped advisory lock, the same one recordEntryVersion takes.
 */
export async function lockStampKeys(
  m: EntityManager,
  keys: { lists: string[]; entries: string[]; documents?: string[] },
): Promise<void> {
  const names = [
    ...keys.lists.map((k) => `stamp_list:${k}`),
    ...keys.entries.map((k) => `stamp_entry:${k}`),
    // A new list by its identity (type, scope, document number): two proposals of one list publish it once.
    ...(keys.documents ?? []).map((k) => `stamp_document:${k}`),
  ].sort();
  for (const name of new Set(names))
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [name]);
}

/**
 * Adds entries (version 1 of each) to a list that exists, in the caller's transaction, with an audit record;
 * an entry without its own effective date takes the list's newest version's.
 */
export async function addStampEntries(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  listKey: string,
  input: NewStampEntry[],
): Promise<StampEntry[]> {
  const list = await latestListVersion(m, listKey);
  if (!list) throw new AppError('STAMP_LIST_NOT_FOUND', { listKey });
  const entries = input.map((e) =>
    m.create(StampEntry, {
      id: randomUUID(),
      entryKey: randomUUID(),
      version: 1,
      listKey,
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
      effectiveFrom: e.effectiveFrom ?? String(list.effectiveFrom),
      effectiveTo: e.effectiveTo ?? null,
    }),
  );
  if (entries.length) await m.insert(StampEntry, entries);
  await audit.record(m, actor, {
    action: 'stamp-list.entries-added',
    entityType: 'stamp_list',
    entityId: list.id,
    data: {
      listKey,
      entries: entries.map((e) => ({ entryKey: e.entryKey, name: e.name, effectiveFrom: e.effectiveFrom })),
    },
  });
  return entries;
}

/**
 * Retires an entry after `lastDay` (inclusive): a new version with the same start and that end date, so the days
 * before keep their answer. 400 STAMP_RETIREMENT_BEFORE_START when the entry's newest version begins after that
 * day; 409 STAMP_ALREADY_RETIRED when it already ends on or before it.
 */
export async function retireStampEntry(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  entryKey: string,
  lastDay: string,
): Promise<StampEntry> {
  await lockStampKeys(m, { lists: [], entries: [entryKey] });
  const last = await latestEntryVersion(m, entryKey);
  if (!last) throw new AppError('STAMP_ENTRY_NOT_FOUND', { entryKey });
  checkRetirement(last, lastDay, { entryKey });
  return recordEntryVersion(m, audit, actor, entryKey, {
    effectiveFrom: String(last.effectiveFrom),
    effectiveTo: lastDay,
  });
}

/**
 * Retires a whole list after `lastDay` (inclusive): a new version of the list with the same start and that end
 * date (its entries leave the answers with it). The same refusals as retireStampEntry.
 */
export async function retireStampList(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  listKey: string,
  lastDay: string,
): Promise<StampList> {
  await lockStampKeys(m, { lists: [listKey], entries: [] });
  const last = await latestListVersion(m, listKey);
  if (!last) throw new AppError('STAMP_LIST_NOT_FOUND', { listKey });
  checkRetirement(last, lastDay, { listKey });
  const next = m.create(StampList, {
    ...last,
    id: randomUUID(),
    version: last.version + 1,
    effectiveTo: lastDay,
    recordedAt: undefined,
  });
  await m.insert(StampList, next);
  await audit.record(m, actor, {
    action: 'stamp-list.retired',
    entityType: 'stamp_list',
    entityId: next.id,
    data: { listKey, version: next.version, documentNumber: next.documentNumber, lastDay },
  });
  return next;
}

/** A retirement's last day must fall on or after the version's start and before its present end. */
export function checkRetirement(
  last: { effectiveFrom: string; effectiveTo: string | null },
  lastDay: string,
  details: Record<string, string>,
): void {
  if (lastDay < String(last.effectiveFrom))
    throw new AppError('STAMP_RETIREMENT_BEFORE_START', {
      ...details,
      lastDay,
      effectiveFrom: String(last.effectiveFrom),
    });
  if (last.effectiveTo !== null && String(last.effectiveTo) <= lastDay)
    throw new AppError('STAMP_ALREADY_RETIRED', {
      ...details,
      lastDay,
      effectiveTo: String(last.effectiveTo),
    });
}
