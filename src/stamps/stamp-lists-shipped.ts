import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { SHIPPED_DATA_DIR } from '../workflow/work-calendar-shipped.js';
import { StampEntry } from './stamp-registry.entities.js';
import { publishStampList, recordEntryVersion, type NewStampList } from './stamp-lists.js';

/** Serializes the loading of shipped lists between server processes starting at once. */
export const STAMP_LIST_LOAD_LOCK = 7_310_002_020;

/** The national prohibited list of 民发〔2020〕20号, shipped in data/ with its source note. */
export const NATIONAL_2020_FILE = 'certificates-prohibited-national-2020.csv';
export const ALIASES_FILE = 'certificate-aliases.csv';

/** Splits CSV text into rows of fields (RFC 4180 quotes; a header row first). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), (r[i] ?? '').trim()])));
}

/**
 * The national 2020 list as a list to publish: the document number and the annex's title from the first row's
 * source, 同上 resolved to the row above, each entry's legal basis its number in the annex, the aliases from
 * certificate-aliases.csv.
 */
export function national2020List(csv: string, aliasesCsv: string | null): NewStampList {
  const rows = records(csv);
  if (!rows.length) throw new Error(`${NATIONAL_2020_FILE} has no rows`);
  const first = rows[0];
  const documentNumber = first.source_document.split(/\s+/)[0];
  const title = /《([^》]+)》/.exec(first.source_document)?.[1] ?? first.source_document;
  const issued = first.issued;
  const aliases = new Map<string, string[]>();
  for (const a of aliasesCsv ? records(aliasesCsv) : []) {
    aliases.set(a.name, [...(aliases.get(a.name) ?? []), a.alias]);
  }
  let issuedBy = first.issued_by;
  for (const r of rows) {
    if (r.issued_by && r.issued_by !== '同上') issuedBy = r.issued_by;
    if (r.list_type !== 'prohibited' || r.scope !== 'national' || !r.name)
      throw new Error(`${NATIONAL_2020_FILE}: row ${r.seq} is not a national prohibition`);
  }
  return {
    title,
    documentNumber,
    issuedBy,
    issuedOn: issued,
    link: null,
    listType: 'prohibited',
    scopeCode: '',
    effectiveFrom: /^\d{4}-\d{2}$/.test(issued) ? `${issued}-01` : issued,
    recordedFrom: `data/${NATIONAL_2020_FILE}`,
    entries: rows.map((r) => ({
      seq: Number(r.seq),
      name: r.name,
      aliases: aliases.get(r.name) ?? [],
      legalBasis: `${documentNumber} 附件《${title}》第${r.seq}项`,
    })),
  };
}

/**
 * At start-up: records the national prohibited list shipped in data/ (民发〔2020〕20号) unless it is recorded
 * already — under an advisory lock, so several processes starting at once record it once. When it is recorded and
 * the shipped file differs from what is in force (a later release adds aliases or corrects a name), records new
 * versions of the changed entries (and the new ones) effective from today, so upgraded deployments get them while
 * the answers of the days before stay. Answers whether anything was recorded now.
 */
export async function loadShippedStampLists(
  dataSource: DataSource,
  log: Logger,
  dir = SHIPPED_DATA_DIR,
  clock = new Clock(),
): Promise<boolean> {
  const file = join(dir, NATIONAL_2020_FILE);
  if (!existsSync(file)) {
    log.warn(`no ${NATIONAL_2020_FILE} in ${dir}: the stamp registry starts without the national list`);
    return false;
  }
  const aliasesFile = join(dir, ALIASES_FILE);
  const list = national2020List(
    readFileSync(file, 'utf8'),
    existsSync(aliasesFile) ? readFileSync(aliasesFile, 'utf8') : null,
  );
  const audit = new AuditService(dataSource, clock);
  const recorded = await dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [STAMP_LIST_LOAD_LOCK]);
    const found: { listKey: string }[] = await m.query(
      `SELECT list_key AS "listKey" FROM stamp_list WHERE recorded_from = $1 AND document_number = $2
        ORDER BY version DESC LIMIT 1`,
      [list.recordedFrom, list.documentNumber],
    );
    if (!found.length) {
      await publishStampList(m, audit, {}, list);
      return 'published';
    }
    const listKey = found[0].listKey;
    const today = clock.today();
    const versions = await m.find(StampEntry, { where: { listKey }, order: { version: 'DESC' } });
    const latest = new Map<string, StampEntry>();
    for (const v of versions) if (!latest.has(v.entryKey)) latest.set(v.entryKey, v);
    const bySeq = new Map([...latest.values()].map((v) => [v.seq, v]));
    let changed = 0;
    for (const e of list.entries) {
      const last = bySeq.get(e.seq ?? null);
      const aliases = e.aliases ?? [];
      if (!last) {
        const entry = m.create(StampEntry, {
          id: randomUUID(),
          entryKey: randomUUID(),
          version: 1,
          listKey,
          seq: e.seq ?? null,
          name: e.name,
          aliases,
          legalBasis: e.legalBasis,
          effectiveFrom: today,
          effectiveTo: null,
        });
        await m.insert(StampEntry, entry);
        await audit.record(
          m,
          {},
          {
            action: 'stamp-entry.versioned',
            entityType: 'stamp_entry',
            entityId: entry.id,
            data: {
              entryKey: entry.entryKey,
              version: 1,
              name: entry.name,
              effectiveFrom: today,
              effectiveTo: null,
            },
          },
        );
        changed++;
        continue;
      }
      // An entry retired since (a version with an end date) stays retired.
      if (last.effectiveTo !== null) continue;
      const same =
        last.name === e.name &&
        last.legalBasis === e.legalBasis &&
        last.aliases.length === aliases.length &&
        last.aliases.every((a, i) => a === aliases[i]);
      if (same) continue;
      const lastFrom = String(last.effectiveFrom);
      await recordEntryVersion(m, audit, {}, last.entryKey, {
        name: e.name,
        aliases,
        legalBasis: e.legalBasis,
        effectiveFrom: lastFrom > today ? lastFrom : today,
      });
      changed++;
    }
    return changed ? 'updated' : null;
  });
  if (recorded === 'published') log.info({ file: NATIONAL_2020_FILE }, 'national stamp list recorded');
  if (recorded === 'updated') log.info({ file: NATIONAL_2020_FILE }, 'national stamp list entries updated');
  return recorded !== null;
}
