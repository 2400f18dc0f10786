import { Injectable } from '@nestjs/common';
import { dayStartCst, nextDay } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { matchIndexed, mayMatch } from './match-index.js';
import { MAX_TYPED, STRONG, prepareText, scorePreparedEntry, type PreparedText } from './name-matching.js';
import { ANY_SCOPE, decide, type Decision, type InForceEntry, type Overridden } from './precedence.js';
import {
  byListThenSeq,
  keepRuling,
  StampRegistryMemory,
  type KeptRuling,
  type ScopeView,
  type RegistryData,
  type RegistryUnit,
  type ScopeInfo,
} from './stamp-registry-memory.js';

export type { ScopeInfo } from './stamp-registry-memory.js';

export interface StampCommunity {
  id: string;
  code: string;
  name: string;
}

/** A community as the public page offers it to pick: with its street and district. */
export interface StampCommunityChoice extends StampCommunity {
  street: string | null;
  district: string | null;
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

/**
 * The public check's answers (their JSON) kept for one read of the registry: at most ANSWER_CHARS characters of
 * them (about 16 MB; an answer is 1–2 KB of JSON), those not asked for longest dropped first.
 */
const ANSWER_CHARS = 8_000_000;

/**
 * Answers kept in two generations, each up to half the limit: new answers join the recent one, an answer of the
 * older one asked again moves to it; when the recent one is full it becomes the older one and the older one is
 * dropped — so what is dropped is what was not asked for since (a least-recently-used order without reordering a
 * map on every answer, which cost more than the rest of the lookup).
 */
export class AnswerMemory {
  private recent = new Map<string, string>();
  private older = new Map<string, string>();
  private recentChars = 0;

  constructor(
    readonly data: RegistryData,
    private readonly limit = ANSWER_CHARS,
  ) {}

  /** Answers kept. */
  get size(): number {
    return this.recent.size + this.older.size;
  }

  get(key: string): string | undefined {
    const json = this.recent.get(key);
    if (json !== undefined) return json;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.set(key, old);
    }
    return old;
  }

  set(key: string, json: string): void {
    const chars = key.length + json.length;
    const before = this.recent.get(key);
    if (before !== undefined) this.recentChars -= key.length + before.length;
    this.older.delete(key);
    if (this.recentChars + chars > this.limit / 2 && this.recent.size > 0) {
      this.older = this.recent;
      this.recent = new Map();
      this.recentChars = 0;
    }
    this.recent.set(key, json);
    this.recentChars += chars;
  }
}

/** 民发〔2020〕20号: a committee issues a certificate only where a law, a regulation or the State Council provides for it. */
export const NOT_LISTED_RULE =
  '根据民发〔2020〕20号，社区居委会只对法律法规或国务院决定保留、且属于社区职责范围的事项出具证明；没有明确法律依据的，任何部门和单位不得要求社区居委会盖章或出具证明，请办事人向要求证明的单位说明，或改用本人承诺、部门间核查等方式。';

/** The public stamp registry: what a committee may stamp, for a community on a day (DESIGN §4). */
@Injectable()
export class StampRegistryService {
  /** The public check's answers kept for the registry as last read (checkRendered). */
  private answers?: AnswerMemory;
  /** Today (China time) and the instants it runs from and to (today()). */
  private day?: { day: string; from: number; to: number };

  constructor(
    private readonly memory: StampRegistryMemory,
    private readonly clock: Clock,
  ) {}

  /**
   * "May the committee stamp this?" — the certificate the typed name names, ruled by the precedence rule
   * (precedence.ts) over the lists in force on the day whose scope contains the community; not listed, with the
   * closest candidates, when no certificate matches clearly. Answered from the registry kept in memory
   * (stamp-registry-memory.ts), never from a list older than the last change announced.
   */
  async check(
    name: string,
    communityParam: string | undefined,
    date: string | undefined,
  ): Promise<StampAnswer> {
    const typed = typedText('name', name);
    const day = date ?? this.today();
    return this.answer(await this.memory.current(), typed, name, communityParam, day);
  }

  /**
   * The public check's answer as the route sends it: `render(answer)` (its JSON), kept for the same name, community
   * and day with the registry as read (AnswerMemory), so that a question asked again costs a lookup. A change to
   * the registry (a new read of it) forgets every answer kept, as it forgets the views and rulings; an unknown
   * community or a name too long is refused (404, 400) every time, never kept.
   */
  async checkRendered(
    name: string,
    communityParam: string | undefined,
    date: string | undefined,
    render: (answer: StampAnswer) => string,
  ): Promise<string> {
    const day = date ?? this.today();
    const data = await this.memory.current();
    let kept = this.answers;
    if (kept?.data !== data) kept = this.answers = new AnswerMemory(data);
    // The community's length first: no name and community can make the same key as another pair.
    const key = `${day}${communityParam === undefined ? '-' : `${communityParam.length}:${communityParam}`}|${name}`;
    let json = kept.get(key);
    if (json === undefined) {
      json = render(this.answer(data, typedText('name', name), name, communityParam, day));
      kept.set(key, json);
    }
    return json;
  }

  /** The answer for a typed name in a community (or none) on a day, from the registry as read. */
  private answer(
    data: RegistryData,
    typed: PreparedText,
    name: string,
    communityParam: string | undefined,
    day: string,
  ): StampAnswer {
    const community = communityParam === undefined ? null : communityOf(data, communityParam);
    const view = data.view(day, community?.code ?? null);
    // The matching reads only the prepared text: the same question typed again gets the ruling already made.
    const key = `${typed.core}\u0001${typed.distinctive}\u0001${typed.bare}`;
    let kept = view.rulings.get(key);
    if (!kept) {
      kept = this.rule(typed, view);
      keepRuling(view, key, kept);
    }
    const { ruling, candidates } = kept;
    const scopes = view.scopes;
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
   * Today in China, from the clock: worked out again only once the clock has left the day last worked out (not
   * written out as a date for every question).
   */
  private today(): string {
    const now = this.clock.nowMs();
    const kept = this.day;
    if (kept && now >= kept.from && now < kept.to) return kept.day;
    const day = this.clock.today();
    this.day = { day, from: dayStartCst(day).getTime(), to: dayStartCst(nextDay(day)).getTime() };
    return day;
  }

  /** The ruling for a prepared text in a view: the matched certificate under the precedence rule, or candidates. */
  private rule(typed: PreparedText, view: ScopeView): KeptRuling {
    const found = matchIndexed(typed, view.index);
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
      } else if (found.match.score < 1) {
        // A text that is an allowed certificate's very name (居住证明) asks about that one: a prohibition of a
        // narrower one it only comes close to (入学居住证明（义务教育入学）) leaves it as it is.
        const close = prohibitions.filter((g) => g.score >= CANDIDATE);
        if (close.length) {
          ruling = null;
          candidates = [found.match, ...close].slice(0, 5).map((g) => g.entries[0].x);
        }
      }
    }
    return { ruling, candidates };
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
    const day = date ?? this.today();
    const data = await this.memory.current();
    const community = communityParam === undefined ? null : communityOf(data, communityParam);
    const view = data.view(day, community === null ? ANY_SCOPE : community.code);
    const text = q?.trim() ?? '';
    const typed = text ? typedText('q', text) : null;
    // Only entries sharing a character with the text can score (match-index.ts); the rest would score 0.
    const rows = typed
      ? mayMatch(typed, view.index)
          .map((i) => view.index.entries[i])
          .map((e) => ({ x: e.x, score: scorePreparedEntry(typed, e.prepared) }))
          .filter((s) => s.score >= CANDIDATE)
          .sort((a, b) => b.score - a.score || byListThenSeq(a.x, b.x))
          .map((s) => s.x)
      : view.ordered;
    const req = pageRequest(pq);
    const items = rows.slice(req.offset, req.offset + req.pageSize);
    return { page: toPage(items, rows.length, req), scopes: view.scopes };
  }

  /** Chinese names of scopes: 全国, or the division's unit name where the organization has it. */
  async scopeNames(codes: string[]): Promise<Map<string, ScopeInfo>> {
    return (await this.memory.current()).scopeNames(codes);
  }

  /**
   * Communities whose name contains the text (all without one), by code, with their street and district: the
   * public page picks the community to ask for by its name.
   */
  async communities(name: string | undefined, pq: PageQuery): Promise<Page<StampCommunityChoice>> {
    const data = await this.memory.current();
    const text = name?.trim() ?? '';
    const rows = text ? data.communities.filter((c) => c.name.includes(text)) : data.communities;
    const req = pageRequest(pq);
    const ancestor = (u: RegistryUnit, kind: string): string | null => {
      for (let p = u.parentId ? data.unitsById.get(u.parentId) : undefined; p;) {
        if (p.kind === kind) return p.name;
        p = p.parentId ? data.unitsById.get(p.parentId) : undefined;
      }
      return null;
    };
    const items = rows.slice(req.offset, req.offset + req.pageSize).map((c) => ({
      id: c.id,
      code: c.code,
      name: c.name,
      street: ancestor(c, 'STREET'),
      district: ancestor(c, 'DISTRICT'),
    }));
    return toPage(items, rows.length, req);
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

/** The community asked for, by unit code or id; an unknown one (or another kind of unit, or inactive) answers 404. */
function communityOf(data: RegistryData, param: string): StampCommunity {
  const u = data.unitsByCode.get(param) ?? data.unitsById.get(param.toLowerCase());
  if (!u || u.kind !== 'COMMUNITY' || !u.active)
    throw new AppError(
      'COMMUNITY_NOT_FOUND',
      { community: param },
      '找不到该社区，请核对社区代码（如 339901001001）后重试；不填社区则按全国清单答复。No community has this code or id; check it, or leave community out for the national answer.',
    );
  return { id: u.id, code: u.code, name: u.name };
}
