import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MemoryOfChanges } from '../database/memory-of-changes.js';
import { buildMatchIndex, type MatchIndex } from './match-index.js';
import { prepareEntry, type PreparedEntry } from './name-matching.js';
import {
  ANY_SCOPE,
  entriesInForce,
  scopeLevel,
  type EntryVersion,
  type InForceEntry,
  type ListVersion,
  type Ruling,
} from './precedence.js';

/** Channel on which the database announces every committed change to the registry (migration StampRegistryChanges). */
export const STAMP_REGISTRY_CHANNEL = 'stamp_registry_changed';
/** The tables whose committed changes the registry's answers depend on (the triggers of that migration). */
const WATCHED = new Map([
  ['stamp_list', 'any'],
  ['stamp_entry', 'any'],
  ['org_unit', 'any'],
] as const);
/**
 * Entry versions prepared for matching, by version id, across reads of the registry: a version is never changed (a
 * new one has a new id), so a prepared one stays right; bounded, the oldest dropped first.
 */
const PREPARED_LIMIT = 50_000;
const preparedEntries = new Map<string, PreparedEntry>();
/**
 * Views kept at most (then they start afresh): one per day and set of scopes that apply (communities of one
 * district share theirs), each about a kilobyte per entry in force with its index.
 */
const MAX_VIEWS = 100;
/** Rulings kept per view (then they start afresh): one per distinct typed text asked. */
const MAX_RULINGS = 5_000;

export interface RegistryUnit {
  id: string;
  code: string;
  name: string;
  kind: string;
  active: boolean;
  parentId: string | null;
}

export interface ScopeInfo {
  code: string;
  level: 'national' | 'province' | 'city' | 'district';
  name: string;
}

/** An entry in force, prepared for matching (the shape match-index.ts indexes). */
export interface IndexedInForce {
  name: string;
  aliases: string[];
  prepared: PreparedEntry;
  x: InForceEntry;
}

/** What one community (or the nation, or every scope) sees on one day: computed once, then kept with the registry. */
export interface ScopeView {
  inForce: InForceEntry[];
  index: MatchIndex<IndexedInForce>;
  /** The entries in force in registry order: national first, then by scope, document and number. */
  ordered: InForceEntry[];
  /** Chinese names of the scopes of the lists in force. */
  scopes: Map<string, ScopeInfo>;
  /**
   * The rulings given in this view, by the typed text as prepared (its core and distinctive part: all the matching
   * reads of it), so that the same question typed again is not matched again. Kept with the view: a change to the
   * registry forgets them with it.
   */
  rulings: Map<string, KeptRuling>;
}

/** What a check decided for one prepared text in one view (the message is written per answer: it quotes the text). */
export interface KeptRuling {
  ruling: Ruling | null;
  candidates: InForceEntry[];
}

/** Keeps a ruling in the view, bounded. */
export function keepRuling(view: ScopeView, key: string, ruling: KeptRuling): void {
  if (view.rulings.size >= MAX_RULINGS) view.rulings.clear();
  view.rulings.set(key, ruling);
}

/** The whole registry as read at one moment (one statement, one snapshot), with its views computed on demand. */
export class RegistryData {
  readonly unitsByCode = new Map<string, RegistryUnit>();
  readonly unitsById = new Map<string, RegistryUnit>();
  /** Active communities, by code. */
  readonly communities: RegistryUnit[];
  private readonly views = new Map<string, ScopeView>();
  /** Every scope code any list version has. */
  private readonly scopeCodes: string[];

  constructor(
    readonly lists: ListVersion[],
    readonly entries: EntryVersion[],
    units: RegistryUnit[],
  ) {
    for (const u of units) {
      this.unitsById.set(u.id, u);
      if (u.code) this.unitsByCode.set(u.code, u);
    }
    this.scopeCodes = [...new Set(lists.map((l) => l.scopeCode))].sort();
    this.communities = units
      .filter((u) => u.kind === 'COMMUNITY' && u.active)
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  /**
   * The entries in force on `day` for the community code (null: the national lists; ANY_SCOPE: every list). Kept
   * per day and set of scopes containing the community: communities inside the same scopes see the same entries.
   */
  view(day: string, communityCode: string | null | typeof ANY_SCOPE): ScopeView {
    const scopes =
      communityCode === ANY_SCOPE
        ? '*'
        : this.scopeCodes
            .filter((c) => c === '' || (communityCode !== null && communityCode.startsWith(c)))
            .join(',');
    const key = `${day}|${scopes}`;
    let v = this.views.get(key);
    if (!v) {
      const inForce = entriesInForce(this.lists, this.entries, day, communityCode);
      const index = buildMatchIndex(
        inForce.map((x) => ({
          name: x.entry.name,
          aliases: x.entry.aliases,
          prepared: this.preparedOf(x.entry),
          x,
        })),
      );
      v = {
        inForce,
        index,
        ordered: [...inForce].sort(byListThenSeq),
        scopes: this.scopeNames(inForce.map((x) => x.list.scopeCode)),
        rulings: new Map(),
      };
      if (this.views.size >= MAX_VIEWS) this.views.clear();
      this.views.set(key, v);
    }
    return v;
  }

  /** The entry version prepared for matching (kept across reads: a version is never changed). */
  private preparedOf(e: EntryVersion): PreparedEntry {
    let p = preparedEntries.get(e.id);
    if (!p) {
      p = prepareEntry(e.name, e.aliases);
      if (preparedEntries.size >= PREPARED_LIMIT)
        preparedEntries.delete(preparedEntries.keys().next().value!);
      preparedEntries.set(e.id, p);
    }
    return p;
  }

  /** Chinese names of scopes: 全国, or the division's unit name where the organization has it. */
  scopeNames(codes: string[]): Map<string, ScopeInfo> {
    const levelZh = { national: '全国', province: '省级', city: '市级', district: '县区级' };
    return new Map(
      [...new Set(codes)].map((code) => {
        const level = scopeLevel(code);
        const name =
          code === ''
            ? '全国'
            : (this.unitsByCode.get(code)?.name ?? `区划代码 ${code}（${levelZh[level]}）`);
        return [code, { code, level, name }];
      }),
    );
  }
}

/** Registry order: national first, then by scope code, document number, number in the document, name. */
export function byListThenSeq(a: InForceEntry, b: InForceEntry): number {
  return (
    a.list.scopeCode.length - b.list.scopeCode.length ||
    a.list.scopeCode.localeCompare(b.list.scopeCode) ||
    a.list.documentNumber.localeCompare(b.list.documentNumber) ||
    (a.entry.seq ?? 0) - (b.entry.seq ?? 0) ||
    a.entry.name.localeCompare(b.entry.name)
  );
}

/** The registry and the organization units it names, in one statement (one snapshot of the database). */
const LOAD_SQL = `SELECT
  (SELECT coalesce(json_agg(json_build_object(
      'id', id, 'listKey', list_key, 'version', version, 'title', title, 'documentNumber', document_number,
      'issuedBy', issued_by, 'issuedOn', issued_on, 'link', link, 'listType', list_type, 'scopeCode', scope_code,
      'effectiveFrom', to_char(effective_from, 'YYYY-MM-DD'), 'effectiveTo', to_char(effective_to, 'YYYY-MM-DD'))), '[]')
     FROM stamp_list) AS lists,
  (SELECT coalesce(json_agg(json_build_object(
      'id', id, 'entryKey', entry_key, 'version', version, 'listKey', list_key, 'seq', seq, 'name', name,
      'aliases', aliases, 'legalBasis', legal_basis, 'purpose', purpose, 'conditions', conditions,
      'procedure', procedure, 'sampleFormAttachmentId', sample_form_attachment_id,
      'sampleFormFileName', (SELECT f.file_name FROM stamp_sample_form f WHERE f.id = stamp_entry.sample_form_attachment_id),
      'timeLimitKind', time_limit_kind, 'timeLimitWorkingDays', time_limit_working_days,
      'effectiveFrom', to_char(effective_from, 'YYYY-MM-DD'), 'effectiveTo', to_char(effective_to, 'YYYY-MM-DD'))), '[]')
     FROM stamp_entry) AS entries,
  (SELECT coalesce(json_agg(json_build_object(
      'id', id, 'code', code, 'name', name, 'kind', kind, 'active', active, 'parentId', parent_id)), '[]')
     FROM org_unit) AS units`;

/**
 * The stamp registry kept in memory (issue 13: the public check answers from memory, never from a list older
 * than the last published change). The whole registry — every list and entry version (with its sample form's file
 * name: a sample form never changes) and the organization units its answers name — is read in one statement and
 * kept; what a community sees on a day is computed from it once
 * (RegistryData.view). It is forgotten:
 *  - when the database announces a committed change (NOTIFY stamp_registry_changed, sent by triggers on
 *    stamp_list, stamp_entry and org_unit: every write path, in every process);
 *  - at once when a transaction of this process that inserted into those tables (through TypeORM) commits, so a
 *    process's own write is seen by its very next answer, without waiting for the announcement to come back;
 *  - when the listening connection is lost: until it listens again, every answer reads the database afresh; a
 *    connection that died without a word is found by asking it every 10 seconds (3 seconds to answer).
 * A read that a change overtook is not kept.
 *
 * The snapshot and the rules that forget it are kept in one file, so that whoever changes one sees the other (a
 * cache and its invalidation drifting apart is the bug to avoid here).
 */
@Injectable()
export class StampRegistryMemory extends MemoryOfChanges {
  private kept?: RegistryData;
  private loading?: { generation: number; data: Promise<RegistryData> };
  private waiters: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super(dataSource, config.databaseUrl, STAMP_REGISTRY_CHANNEL, 'stamp-registry', WATCHED);
  }

  /** Resolves at the next change heard (for tests waiting for another process's change to be announced). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The registry as it stands: kept, or read now (and kept when nothing changed meanwhile and we listen). */
  async current(): Promise<RegistryData> {
    const kept = this.kept;
    if (this.isListening && kept) return kept;
    if (this.isListening && this.loading?.generation === this.generation) return this.loading.data;
    const generation = this.generation;
    const data = this.read();
    if (this.isListening) {
      this.loading = { generation, data };
      void data
        .then((d) => {
          if (this.isListening && generation === this.generation) this.kept = d;
        })
        .catch(() => undefined)
        .finally(() => {
          if (this.loading?.data === data) this.loading = undefined;
        });
    }
    return data;
  }

  private async read(): Promise<RegistryData> {
    const [row]: { lists: ListVersion[]; entries: EntryVersion[]; units: RegistryUnit[] }[] =
      await this.dataSource.query(LOAD_SQL);
    return new RegistryData(row.lists, row.entries, row.units);
  }

  protected cleared(): void {
    this.kept = undefined;
    this.loading = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export { ANY_SCOPE };
