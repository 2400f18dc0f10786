import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { StampChangeProposals, type StampChangeSet } from './stamp-changes.js';
import { StampProposalsService } from './stamp-proposals.service.js';
import { prohibitionNotes } from './stamp-import-notes.js';
import { StampRegistryMemory } from './stamp-registry-memory.js';
import {
  compareWithRegistry,
  type Comparison,
  type FieldChange,
  type RegistryEntry,
  type RegistryList,
  type RowOutcome,
} from './stamp-import-compare.js';
import { readImportFile } from './stamp-import-file.js';
import { checkRows } from './stamp-import-checks.js';
import {
  givenColumns,
  keptDocument,
  locateHeader,
  rowValues,
  type DocumentValues,
  type RowProblem,
  type RowValues,
} from './stamp-import-rows.js';
import {
  StampImport,
  StampImportRow,
  type CommonProblem,
  type ImportScope,
  type StampImportCounts,
} from './stamp-import.entities.js';

/** Rows inserted per statement (each row is ten parameters). */
const INSERT_CHUNK = 500;

/**
 * Stamp-list imports (issue 13 §5): a CSV or XLSX file checked in a dry run against the registry — each row added,
 * changed, unchanged or rejected with the reason — stored as a report the office pages through, and its good rows
 * proposed as one change set through the approval flow (StampChangeProposals). Only the office that ran an import
 * sees it; another's answers like a missing one.
 */
@Injectable()
export class StampImportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly proposals: StampChangeProposals,
    /** The one answer to "which scopes may this office propose in" (issue 13 §4). */
    private readonly scopes: StampProposalsService,
    private readonly registryMemory: StampRegistryMemory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The dry run: reads the file (413 too large, 415 not CSV/XLSX, 400 no header or rows), checks every row and
   * compares it with the registry, and stores the report. Nothing in the registry changes.
   */
  async dryRun(
    actor: Actor,
    fileName: string,
    contentBase64: string,
    document: DocumentValues = {},
  ): Promise<StampImport> {
    const p = actor.principal!;
    const content = Buffer.from(contentBase64, 'base64');
    const { header, table, line } = locateHeader(
      await readImportFile(fileName, content, {
        seconds: this.config.env.IMPORT_READ_SECONDS,
        memoryMb: this.config.env.IMPORT_READ_MEMORY_MB,
      }),
      givenColumns(document),
    );
    if (header.problems.length)
      throw new AppError('STAMP_IMPORT_FILE_INVALID', [{ line, problems: header.problems }]);
    const values = rowValues(table, header.columns, document);
    const today = this.clock.today();
    return this.dataSource.transaction(async (m) => {
      const result = await this.analyse(m, p, values, today);
      const counts: StampImportCounts = {
        total: result.rows.length,
        added: 0,
        changed: 0,
        unchanged: 0,
        rejected: 0,
      };
      for (const r of result.rows) counts[r.outcome]++;
      const notes = prohibitionNotes(result.rows, await this.registryMemory.current(), today);
      counts.stillProhibited = notes.filter((n) => n.length).length;
      const saved = m.create(StampImport, {
        unitId: p.unitId,
        createdBy: p.userId,
        fileName,
        format: table.format,
        encoding: table.encoding,
        sizeBytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        headerLine: table.headerLine,
        document: keptDocument(document),
        ignoredColumns: header.ignored,
        counts,
        lists: result.lists,
        commonProblems: commonProblems(result.rows),
        scopes: importScopes(result, result.scopeNames),
        comparedOn: today,
        createdAt: this.clock.now(),
        proposalId: null,
        proposalInstanceId: null,
        proposedAt: null,
      });
      await m.insert(StampImport, saved);
      const byLine = new Map(values.map((v) => [v.line, v.values]));
      const rows = result.rows.map((r, i) =>
        m.create(StampImportRow, {
          importId: saved.id,
          line: r.line,
          outcome: r.outcome,
          name: r.name,
          list: r.list,
          entryKey: r.entryKey,
          effectiveFrom: r.effectiveFrom,
          changes: r.changes,
          problems: r.problems,
          notes: notes[i],
          values: byLine.get(r.line) ?? {},
        }),
      );
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await m.insert(StampImportRow, rows.slice(i, i + INSERT_CHUNK));
      await this.audit.record(m, actor, {
        action: 'stamp-import.dry-run',
        entityType: 'stamp_import',
        entityId: saved.id,
        data: {
          fileName,
          sha256: saved.sha256,
          format: saved.format,
          document: saved.document,
          counts,
          lists: result.lists,
        },
      });
      return saved;
    });
  }

  /** The imports of the principal's office, newest first. */
  async list(p: Principal, q: PageQuery): Promise<Page<StampImport>> {
    const req = pageRequest(q);
    const [items, total] = await this.dataSource.getRepository(StampImport).findAndCount({
      where: { unitId: p.unitId },
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: req.offset,
      take: req.pageSize,
    });
    return toPage(items, total, req);
  }

  /** One import of the principal's office (404 STAMP_IMPORT_NOT_FOUND for any other). */
  async get(p: Principal, id: string, m: EntityManager = this.dataSource.manager): Promise<StampImport> {
    const found = await m.findOneBy(StampImport, { id });
    if (!found || found.unitId !== p.unitId) throw new AppError('STAMP_IMPORT_NOT_FOUND');
    return found;
  }

  /** The import's rows in file order, optionally of one outcome. */
  async rows(
    p: Principal,
    id: string,
    q: PageQuery & { outcome?: RowOutcome },
  ): Promise<Page<StampImportRow>> {
    await this.get(p, id);
    const req = pageRequest(q);
    const [items, total] = await this.dataSource.getRepository(StampImportRow).findAndCount({
      where: { importId: id, ...(q.outcome ? { outcome: q.outcome } : {}) },
      order: { line: 'ASC' },
      skip: req.offset,
      take: req.pageSize,
    });
    return toPage(items, total, req);
  }

  /**
   * Proposes the good rows (added and changed) as one change set for the principal leader's approval. Once per
   * import (409 ALREADY_PROPOSED); the rows are compared again first and a registry changed since the dry run
   * answers 409 STALE (upload again); nothing to change answers 400. The proposal route's own refusals (scope,
   * validation) pass through, and then nothing is recorded.
   */
  async propose(actor: Actor, id: string): Promise<StampImport> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      // Locked until the proposal is recorded: a second call waits, then finds it proposed.
      const imp = await m.findOne(StampImport, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!imp || imp.unitId !== p.unitId) throw new AppError('STAMP_IMPORT_NOT_FOUND');
      if (imp.proposalId) throw new AppError('STAMP_IMPORT_ALREADY_PROPOSED', { proposalId: imp.proposalId });
      const stored = await m.find(StampImportRow, { where: { importId: id }, order: { line: 'ASC' } });
      const fresh = await this.analyse(
        m,
        p,
        stored.map((r) => ({ line: r.line, values: r.values })),
        this.clock.today(),
      );
      // Compared as arrays: jsonb keeps an object's keys in its own order.
      const sig = (x: { line: number; outcome: string; changes: FieldChange[]; entryKey: string | null }) =>
        JSON.stringify([x.line, x.outcome, x.entryKey, x.changes.map((c) => [c.field, c.before, c.after])]);
      const stale = fresh.rows.some((r, i) => !stored[i] || sig(r) !== sig(stored[i]));
      if (stale) throw new AppError('STAMP_IMPORT_STALE');
      if (!fresh.changes.length) throw new AppError('STAMP_IMPORT_NOTHING_TO_PROPOSE');
      const set = this.changeSet(imp, fresh);
      const proposed = await this.proposals.propose(actor, set);
      imp.proposalId = proposed.proposalId;
      imp.proposalInstanceId = proposed.instanceId;
      imp.proposedAt = this.clock.now();
      await m.update(
        StampImport,
        { id },
        {
          proposalId: imp.proposalId,
          proposalInstanceId: imp.proposalInstanceId,
          proposedAt: imp.proposedAt,
        },
      );
      await this.audit.record(m, actor, {
        action: 'stamp-import.proposed',
        entityType: 'stamp_import',
        entityId: id,
        data: {
          proposalId: proposed.proposalId,
          instanceId: proposed.instanceId,
          changes: set.changes.length,
        },
      });
      return imp;
    });
  }

  /** The good rows as one change set: of one scope (a proposal is), else 400 STAMP_IMPORT_SEVERAL_SCOPES. */
  private changeSet(imp: StampImport, c: Comparison): StampChangeSet {
    const good = c.rows.filter((r) => r.outcome === 'added' || r.outcome === 'changed');
    const scopes = [...new Set(good.map((r) => r.list!.scopeCode))];
    if (scopes.length > 1) throw new AppError('STAMP_IMPORT_SEVERAL_SCOPES', { scopeCodes: scopes });
    const added = good.filter((r) => r.outcome === 'added').length;
    const lists = new Set(good.map((r) => `${r.list!.listType}/${r.list!.documentNumber}`)).size;
    return {
      scopeCode: scopes[0],
      summary: `导入文件“${imp.fileName}”：新增 ${added} 项、变更 ${good.length - added} 项（涉及 ${lists} 份清单）。`,
      origin: { kind: 'import', importId: imp.id, fileName: imp.fileName },
      changes: c.changes,
    };
  }

  /** Checks the rows and compares them with the registry as the principal's office may propose. */
  private async analyse(
    m: EntityManager,
    p: Principal,
    values: { line: number; values: RowValues }[],
    today: string,
  ): Promise<Comparison & { scopeNames: ReadonlyMap<string, string> }> {
    const allowedScopes = await this.scopes.scopesOf(m, p);
    const units: { name: string; code: string }[] = await m.query(
      `SELECT name, code FROM org_unit WHERE kind IN ('CITY', 'DISTRICT') AND code ~ '^([0-9]{4}|[0-9]{6})$'`,
    );
    const scopeNames = new Map(units.map((s) => [s.code, s.name]));
    const checked = checkRows(values, {
      allowedScopes,
      scopeByName: new Map(units.map((s) => [s.name, s.code])),
      scopeNames,
    });
    const documents = [...new Set([...checked.lists.values()].map((l) => l.documentNumber))];
    return {
      ...compareWithRegistry(checked.rows, checked.lists, await this.registry(m, documents), today),
      scopeNames,
    };
  }

  /** The latest version of every list with one of these document numbers, with the latest of its entries. */
  private async registry(m: EntityManager, documents: string[]): Promise<RegistryList[]> {
    if (!documents.length) return [];
    const lists: Omit<RegistryList, 'entries'>[] = await m.query(
      `SELECT DISTINCT ON (list_key) list_key AS "listKey", version, title, document_number AS "documentNumber",
              scope_code AS "scopeCode", list_type AS "listType",
              to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
         FROM stamp_list WHERE document_number = ANY($1::text[])
        ORDER BY list_key, version DESC`,
      [documents],
    );
    if (!lists.length) return [];
    const entries: (RegistryEntry & { listKey: string })[] = await m.query(
      `SELECT DISTINCT ON (entry_key) entry_key AS "entryKey", list_key AS "listKey", version, seq, name, aliases,
              legal_basis AS "legalBasis", purpose, conditions, procedure, time_limit_kind AS "timeLimitKind",
              time_limit_working_days AS "timeLimitWorkingDays",
              to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
         FROM stamp_entry WHERE list_key = ANY($1::uuid[])
        ORDER BY entry_key, version DESC`,
      [lists.map((l) => l.listKey)],
    );
    return lists.map((l) => ({ ...l, entries: entries.filter((e) => e.listKey === l.listKey) }));
  }
}

/**
 * The problems several rejected rows share (the same column and words), most rows first: told once at the head of
 * the report — a district office importing the national list reads why once, not on each of its rows.
 */
export function commonProblems(
  rows: readonly { line: number; outcome: string; problems: readonly RowProblem[] }[],
): CommonProblem[] {
  const seen = new Map<string, CommonProblem>();
  for (const r of rows) {
    if (r.outcome !== 'rejected') continue;
    for (const x of r.problems) {
      const key = `${x.field ?? ''}\u0000${x.message}`;
      const known = seen.get(key);
      if (!known) seen.set(key, { ...x, rows: 1, firstLine: r.line, lastLine: r.line });
      else if (known.lastLine !== r.line) {
        known.rows++;
        known.lastLine = r.line;
      }
    }
  }
  return [...seen.values()]
    .filter((x) => x.rows >= 2)
    .sort((a, b) => b.rows - a.rows || a.firstLine - b.firstLine);
}

/** The scopes the rows and lists name, with their names: 全国, the division's name, or the code and its level. */
function importScopes(c: Comparison, names: ReadonlyMap<string, string>): ImportScope[] {
  const codes = new Set<string>([
    ...c.lists.map((l) => l.scopeCode),
    ...c.rows.flatMap((r) => (r.list ? [r.list.scopeCode] : [])),
  ]);
  const level = (code: string) => (code.length === 2 ? '省级' : code.length === 4 ? '市级' : '县区级');
  return [...codes].sort().map((code) => ({
    code,
    name: code === '' ? '全国' : (names.get(code) ?? `区划代码 ${code}（${level(code)}）`),
  }));
}
