import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { isUuid } from './stamp-change-validation.js';
import { StampEntry, StampList, type ListType } from './stamp-registry.entities.js';
import { StampRegistryService, timeLimitText, type ScopeInfo } from './stamp-registry.service.js';

export type ListStatus = 'in-force' | 'not-yet' | 'ended';

export interface ListSummary {
  list: StampList;
  versions: number;
  entries: number;
  status: ListStatus;
  scope: ScopeInfo;
}

export interface EntryVersionChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

export interface EntryHistory {
  entryKey: string;
  /** The version that answers today (none begun yet: the newest). */
  current: StampEntry;
  status: ListStatus;
  /** Every version, oldest first, each with what it changed against the one before. */
  versions: { version: StampEntry; changes: EntryVersionChange[] }[];
}

export interface ListDetail extends ListSummary {
  listVersions: StampList[];
  entryHistory: EntryHistory[];
  /** The file names of the sample forms (证明式样) the entry versions name, by id. */
  sampleForms: Map<string, string>;
}

export interface ListFilter extends PageQuery {
  /** 'national', or a 2/4/6-digit division code. */
  scope?: string;
  type?: ListType;
}

const FIELDS: [string, string, (e: StampEntry) => string | null][] = [
  ['name', '事项名称', (e) => e.name],
  ['aliases', '常用叫法', (e) => (e.aliases.length ? e.aliases.join('、') : null)],
  ['legalBasis', '设定依据', (e) => e.legalBasis],
  ['purpose', '办理用途', (e) => e.purpose],
  ['conditions', '办理条件和材料', (e) => e.conditions],
  ['procedure', '办理流程', (e) => e.procedure],
  ['timeLimit', '办理时限', (e) => timeLimitText(e.timeLimitKind, e.timeLimitWorkingDays)],
  ['seq', '序号', (e) => (e.seq === null ? null : String(e.seq))],
  ['effectiveFrom', '生效日期', (e) => String(e.effectiveFrom)],
  ['effectiveTo', '有效期至', (e) => (e.effectiveTo === null ? null : String(e.effectiveTo))],
];

/**
 * Today's status of a list or entry from its versions (the precedence rule's reading: the newest version begun by
 * today answers; none begun: not yet; that one ended: ended).
 */
function answeringOn<T extends { version: number; effectiveFrom: string }>(
  versions: T[],
  today: string,
): T | null {
  const begun = versions.filter((v) => String(v.effectiveFrom) <= today);
  return begun.length ? begun.reduce((a, b) => (b.version > a.version ? b : a)) : null;
}

function statusOf(
  versions: { version: number; effectiveFrom: string; effectiveTo: string | null }[],
  today: string,
): ListStatus {
  const answering = answeringOn(versions, today);
  if (!answering) return 'not-yet';
  return answering.effectiveTo !== null && String(answering.effectiveTo) < today ? 'ended' : 'in-force';
}

/**
 * The registry's lists as documents (issue 13 §8 "each list with its source and diff history"): public, as the
 * registry is. A list shows as its newest version; its page shows every version of it and of each entry.
 */
@Injectable()
export class StampListReads {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly registry: StampRegistryService,
  ) {}

  /** The lists (newest version of each), national first, then by scope and document; filtered by scope and type. */
  async list(q: ListFilter): Promise<Page<ListSummary>> {
    const req = pageRequest(q);
    const scope = q.scope === undefined ? null : q.scope === 'national' ? '' : q.scope;
    const where = `($1::text IS NULL OR l.scope_code = $1) AND ($2::text IS NULL OR l.list_type = $2)`;
    const rows: { id: string; versions: number; entries: number; total: number }[] =
      await this.dataSource.query(
        `WITH newest AS (SELECT DISTINCT ON (list_key) * FROM stamp_list ORDER BY list_key, version DESC)
       SELECT l.id, (SELECT count(*)::int FROM stamp_list v WHERE v.list_key = l.list_key) AS versions,
              (SELECT count(DISTINCT e.entry_key)::int FROM stamp_entry e WHERE e.list_key = l.list_key) AS entries,
              count(*) OVER ()::int AS total
         FROM newest l WHERE ${where}
        ORDER BY length(l.scope_code), l.scope_code, l.issued_on DESC, l.document_number, l.list_key
        OFFSET $3 LIMIT $4`,
        [scope, q.type ?? null, req.offset, req.pageSize],
      );
    let total = rows[0]?.total ?? 0;
    if (!rows.length && req.offset > 0) {
      const c: { n: number }[] = await this.dataSource.query(
        `WITH newest AS (SELECT DISTINCT ON (list_key) * FROM stamp_list ORDER BY list_key, version DESC)
         SELECT count(*)::int AS n FROM newest l WHERE ${where}`,
        [scope, q.type ?? null],
      );
      total = c[0].n;
    }
    const lists = rows.length
      ? await this.dataSource.getRepository(StampList).findBy(rows.map((r) => ({ id: r.id })))
      : [];
    const byId = new Map(lists.map((l) => [l.id, l]));
    const allVersions = lists.length
      ? await this.dataSource.getRepository(StampList).findBy(lists.map((l) => ({ listKey: l.listKey })))
      : [];
    const versionsOf = new Map<string, StampList[]>();
    for (const v of allVersions) versionsOf.set(v.listKey, [...(versionsOf.get(v.listKey) ?? []), v]);
    const scopes = await this.registry.scopeNames(lists.map((l) => l.scopeCode));
    const today = this.clock.today();
    return toPage(
      rows.map((r) => {
        const list = byId.get(r.id)!;
        return {
          list,
          versions: r.versions,
          entries: r.entries,
          status: statusOf(versionsOf.get(list.listKey) ?? [list], today),
          scope: scopes.get(list.scopeCode)!,
        };
      }),
      total,
      req,
    );
  }

  /** One list: its versions, and each entry with its versions and what each changed. Unknown key: 404. */
  async get(listKey: string): Promise<ListDetail> {
    const m = this.dataSource.manager;
    const listVersions = isUuid(listKey)
      ? await m.find(StampList, { where: { listKey }, order: { version: 'ASC' } })
      : [];
    if (!listVersions.length) throw new AppError('STAMP_LIST_NOT_FOUND', { listKey });
    const list = listVersions[listVersions.length - 1];
    const rows = await m.find(StampEntry, { where: { listKey }, order: { entryKey: 'ASC', version: 'ASC' } });
    const byKey = new Map<string, StampEntry[]>();
    for (const r of rows) byKey.set(r.entryKey, [...(byKey.get(r.entryKey) ?? []), r]);
    const formIds = [...new Set(rows.map((r) => r.sampleFormAttachmentId).filter((id) => id !== null))];
    const forms: { id: string; fileName: string }[] = formIds.length
      ? await m.query(
          `SELECT id, file_name AS "fileName" FROM stamp_sample_form WHERE id = ANY($1::uuid[])`,
          [formIds],
        )
      : [];
    const sampleForms = new Map(forms.map((f) => [f.id, f.fileName]));
    const formOf = (e: StampEntry) =>
      e.sampleFormAttachmentId === null ? null : (sampleForms.get(e.sampleFormAttachmentId) ?? '证明式样');
    const today = this.clock.today();
    const entries: EntryHistory[] = [...byKey.entries()].map(([entryKey, versions]) => ({
      entryKey,
      current: answeringOn(versions, today) ?? versions[versions.length - 1],
      status: statusOf(versions, today),
      versions: versions.map((v, i) => ({
        version: v,
        changes:
          i === 0
            ? []
            : [
                ...FIELDS.map(([field, label, get]) => ({
                  field,
                  label,
                  before: get(versions[i - 1]),
                  after: get(v),
                })).filter((c) => c.before !== c.after),
                ...(versions[i - 1].sampleFormAttachmentId === v.sampleFormAttachmentId
                  ? []
                  : [
                      {
                        field: 'sampleForm',
                        label: '证明式样',
                        before: formOf(versions[i - 1]),
                        after: formOf(v),
                      },
                    ]),
              ],
      })),
    }));
    entries.sort(
      (a, b) =>
        (a.current.seq ?? 1e9) - (b.current.seq ?? 1e9) ||
        String(a.versions[0].version.effectiveFrom).localeCompare(
          String(b.versions[0].version.effectiveFrom),
        ) ||
        a.current.name.localeCompare(b.current.name),
    );
    const scopes = await this.registry.scopeNames([list.scopeCode]);
    return {
      list,
      versions: listVersions.length,
      entries: entries.length,
      status: statusOf(listVersions, today),
      scope: scopes.get(list.scopeCode)!,
      listVersions,
      entryHistory: entries,
      sampleForms,
    };
  }
}
