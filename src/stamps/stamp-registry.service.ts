import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import {
  MAX_TYPED,
  STRONG,
  matchCertificate,
  prepareEntry,
  prepareText,
  scorePreparedEntry,
  type PreparedEntry,
  type PreparedText,
} from './name-matching.js';
import {
  ANY_SCOPE,
  decide,
  entriesInForce,
  scopeLevel,
  type Decision,
  type EntryVersion,
  type InForceEntry,
  type ListVersion,
  type Overridden,
} from './precedence.js';

export interface StampCommunity {
  id: string;
  code: string;
  name: string;
}

export interface ScopeInfo {
  code: string;
  level: 'national' | 'province' | 'city' | 'district';
  name: string;
}

export interface StampAnswer {
  decision: Decision;
  name: string;
  community: StampCommunity | null;
  date: string;
  deciding: InForceEntry | null;
  overridden: Overridden[];
  candidates: InForceEntry[];
  message: string;
  scopes: Map<string, ScopeInfo>;
}

export interface StampSearchResult {
  page: Page<InForceEntry>;
  scopes: Map<string, ScopeInfo>;
}

/** A match that only a candidate reaches (the search's threshold too). */
const CANDIDATE = 0.25;

/**
 * Entry versions prepared for matching, by version id: a version is never changed (a new one has a new id), so a
 * prepared one stays right; bounded, the oldest dropped first.
 */
const PREPARED_LIMIT = 50_000;
const preparedEntries = new Map<string, PreparedEntry>();

function preparedOf(e: EntryVersion): PreparedEntry {
  let p = preparedEntries.get(e.id);
  if (!p) {
    p = prepareEntry(e.name, e.aliases);
    if (preparedEntries.size >= PREPARED_LIMIT) preparedEntries.delete(preparedEntries.keys().next().value!);
    preparedEntries.set(e.id, p);
  }
  return p;
}

/** The typed text prepared once; longer than MAX_TYPED once normalised (NFKC can multiply) answers 400. */
function typedText(field: 'name' | 'q', text: string): PreparedText {
  const t = prepareText(text);
  if (t.tooLong)
    throw new AppError('VALIDATION_FAILED', [
      {
        field,
        problems: [
          `${field === 'name' ? '证明名称（name）' : '查询词（q）'}规范化后超过 ${MAX_TYPED} 个字，请输入证明的名称，如“居住证明”。${field} is longer than ${MAX_TYPED} characters once normalised; type the certificate's name.`,
        ],
      },
    ]);
  return t;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 民发〔2020〕20号: a committee issues a certificate only where a law, a regulation or the State Council provides for it. */
export const NOT_LISTED_RULE =
  '根据民发〔2020〕20号，社区居委会只对法律法规或国务院决定保留、且属于社区职责范围的事项出具证明；没有明确法律依据的，任何部门和单位不得要求社区居委会盖章或出具证明，请办事人向要求证明的单位说明，或改用本人承诺、部门间核查等方式。';

/** The public stamp registry: what a committee may stamp, for a community on a day (DESIGN §4). */
@Injectable()
export class StampRegistryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * "May the committee stamp this?" — the certificate the typed name names, ruled by the precedence rule
   * (precedence.ts) over the lists in force on the day whose scope contains the community; not listed, with the
   * closest candidates, when no certificate matches clearly.
   */
  async check(
    name: string,
    communityParam: string | undefined,
    date: string | undefined,
  ): Promise<StampAnswer> {
    const typed = typedText('name', name);
    const day = date ?? this.clock.today();
    const community = communityParam === undefined ? null : await this.community(communityParam);
    const inForce = await this.inForce(day, community?.code ?? null, true);
    const found = matchCertificate(
      typed,
      inForce.map((x) => ({
        name: x.entry.name,
        aliases: x.entry.aliases,
        prepared: preparedOf(x.entry),
        x,
      })),
    );
    let ruling = found.match ? decide(found.match.entries.map((m) => m.x)) : null;
    let candidates = found.candidates.map((g) => g.entries[0].x);
    if (found.match && ruling?.decision === 'allowed') {
      // A lower level may be stricter, never looser: an allowance worded otherwise (居民养犬登记证明) does not escape
      // a prohibition the same text names (居民养犬证明 in 养犬登记证明) — that prohibition decides; one the text
      // only comes close to leaves the answer unclear: not listed, with both as candidates.
      const prohibitions = found.ranked.filter(
        (g) =>
          g.entries !== found.match!.entries && g.entries.some((e) => e.x.list.listType === 'prohibited'),
      );
      const named = prohibitions.find((g) => g.score >= STRONG || g.holdsName);
      if (named) {
        ruling = decide([...found.match.entries, ...named.entries].map((m) => m.x));
      } else {
        const close = prohibitions.filter((g) => g.score >= CANDIDATE);
        if (close.length) {
          ruling = null;
          candidates = [found.match, ...close].slice(0, 5).map((g) => g.entries[0].x);
        }
      }
    }
    const scopes = await this.scopeNames([...inForce.map((x) => x.list.scopeCode)]);
    const decision: Decision = ruling?.decision ?? 'not-listed';
    return {
      decision,
      name,
      community,
      date: day,
      deciding: ruling?.deciding ?? null,
      overridden: ruling?.overridden ?? [],
      candidates,
      message: this.message(decision, name, community, ruling?.deciding ?? null, candidates, scopes),
      scopes,
    };
  }

  /**
   * The public search: the entries in force on the day (in the lists whose scope contains the community, or in
   * every list without one) that the text matches, best match first; without text every entry, national first.
   */
  async search(
    q: string | undefined,
    communityParam: string | undefined,
    date: string | undefined,
    pq: PageQuery,
  ): Promise<StampSearchResult> {
    const day = date ?? this.clock.today();
    const community = communityParam === undefined ? null : await this.community(communityParam);
    const inForce = await this.inForce(day, community?.code ?? null, community !== null);
    const text = q?.trim() ?? '';
    const typed = text ? typedText('q', text) : null;
    const rows = typed
      ? inForce
          .map((x) => ({ x, score: scorePreparedEntry(typed, preparedOf(x.entry)) }))
          .filter((s) => s.score >= CANDIDATE)
          .sort((a, b) => b.score - a.score || byListThenSeq(a.x, b.x))
          .map((s) => s.x)
      : [...inForce].sort(byListThenSeq);
    const req = pageRequest(pq);
    const items = rows.slice(req.offset, req.offset + req.pageSize);
    const scopes = await this.scopeNames(items.map((x) => x.list.scopeCode));
    return { page: toPage(items, rows.length, req), scopes };
  }

  /** The community asked for, by unit code or id; an unknown one (or another kind of unit) answers 404. */
  private async community(param: string): Promise<StampCommunity> {
    const rows: StampCommunity[] = await this.dataSource.query(
      `SELECT id, code, name FROM org_unit
        WHERE kind = 'COMMUNITY' AND active AND (code = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid))
        LIMIT 1`,
      [param, UUID.test(param) ? param : null],
    );
    if (!rows.length)
      throw new AppError(
        'COMMUNITY_NOT_FOUND',
        { community: param },
        '找不到该社区，请核对社区代码（如 339901001001）后重试；不填社区则按全国清单答复。No community has this code or id; check it, or leave community out for the national answer.',
      );
    return rows[0];
  }

  /**
   * The entries in force on `day` in the lists whose scope contains the community (null: the national lists
   * only); `scoped` false: in every list (the search without a community). Every list version begun by the day
   * is read: the version that answers is chosen first, and only then its scope (a later version may change it).
   */
  private async inForce(day: string, communityCode: string | null, scoped: boolean): Promise<InForceEntry[]> {
    const lists: ListVersion[] = await this.dataSource.query(
      `SELECT id, list_key AS "listKey", version, title, document_number AS "documentNumber", issued_by AS "issuedBy",
              issued_on AS "issuedOn", link, list_type AS "listType", scope_code AS "scopeCode",
              to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
         FROM stamp_list
        WHERE effective_from <= $1::date`,
      [day],
    );
    if (!lists.length) return [];
    const entries: EntryVersion[] = await this.dataSource.query(
      `SELECT id, entry_key AS "entryKey", version, list_key AS "listKey", seq, name, aliases, legal_basis AS "legalBasis",
              purpose, conditions, procedure, sample_form_attachment_id AS "sampleFormAttachmentId",
              time_limit_kind AS "timeLimitKind", time_limit_working_days AS "timeLimitWorkingDays",
              to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
         FROM stamp_entry
        WHERE effective_from <= $1::date AND list_key = ANY($2::uuid[])`,
      [day, [...new Set(lists.map((l) => l.listKey))]],
    );
    return entriesInForce(lists, entries, day, scoped ? communityCode : ANY_SCOPE);
  }

  /** Chinese names of scopes: 全国, or the division's unit name where the organization has it. */
  async scopeNames(codes: string[]): Promise<Map<string, ScopeInfo>> {
    const unique = [...new Set(codes)];
    const rows: { code: string; name: string }[] = unique.some((c) => c !== '')
      ? await this.dataSource.query('SELECT code, name FROM org_unit WHERE code = ANY($1::text[])', [
          unique.filter((c) => c !== ''),
        ])
      : [];
    const names = new Map(rows.map((r) => [r.code, r.name]));
    const levelZh = { national: '全国', province: '省级', city: '市级', district: '县区级' };
    return new Map(
      unique.map((code) => {
        const level = scopeLevel(code);
        const name = code === '' ? '全国' : (names.get(code) ?? `区划代码 ${code}（${levelZh[level]}）`);
        return [code, { code, level, name }];
      }),
    );
  }

  private message(
    decision: Decision,
    name: string,
    community: StampCommunity | null,
    deciding: InForceEntry | null,
    candidates: InForceEntry[],
    scopes: Map<string, ScopeInfo>,
  ): string {
    const where = community ? `${community.name}` : '全国范围（未指定社区）';
    if (decision === 'allowed' && deciding) {
      const e = deciding.entry;
      const limit = timeLimitText(e.timeLimitKind, e.timeLimitWorkingDays);
      return `${where}的社区居委会可以出具“${e.name}”。依据：${e.legalBasis}（${sourceText(deciding, scopes)}）。${limit ? `办理时限：${limit}。` : ''}请按清单所列条件和材料办理。`;
    }
    if (decision === 'prohibited' && deciding) {
      return `社区居委会不应出具“${deciding.entry.name}”：${sourceText(deciding, scopes)}已将其列入不应由社区出具的证明事项（${deciding.entry.legalBasis}）。请告知办事人向负责该事项的部门办理，或改用本人承诺、部门间核查等方式，不要在社区盖章。`;
    }
    const hint = candidates.length
      ? `您要找的是否是：${candidates.map((c) => `“${c.entry.name}”`).join('、')}？请用完整名称再查一次。`
      : '';
    return `“${name}”不在${where}适用的盖章证明事项清单中。${hint}${NOT_LISTED_RULE}`;
  }
}

function byListThenSeq(a: InForceEntry, b: InForceEntry): number {
  return (
    a.list.scopeCode.length - b.list.scopeCode.length ||
    a.list.scopeCode.localeCompare(b.list.scopeCode) ||
    a.list.documentNumber.localeCompare(b.list.documentNumber) ||
    (a.entry.seq ?? 0) - (b.entry.seq ?? 0) ||
    a.entry.name.localeCompare(b.entry.name)
  );
}

/** 办理时限 in Chinese: 当场办结, or N个工作日内办结. */
export function timeLimitText(kind: string | null, days: number | null): string | null {
  if (kind === 'on-the-spot') return '当场办结';
  if (kind === 'working-days' && days) return `${days}个工作日内办结`;
  return null;
}

function sourceText(x: InForceEntry, scopes: Map<string, ScopeInfo>): string {
  const scope = scopes.get(x.list.scopeCode)?.name ?? '';
  return `${scope}《${x.list.title}》（${x.list.documentNumber}）`;
}
