import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { WorkflowRuntime } from '../workflow/runtime.service.js';
import { isUuid, validateChangeSet } from './stamp-change-validation.js';
import { StampChangeProposals, type ProposedStampChange, type StampChangeSet } from './stamp-changes.js';
import { diffChanges, type ChangeDiff } from './stamp-diff.js';
import {
  addStampEntries,
  checkRetirement,
  latestEntryVersion,
  latestListVersion,
  lockStampKeys,
  publishStampList,
  recordEntryVersion,
  retireStampEntry,
  retireStampList,
} from './stamp-lists.js';
import { StampProposal, type ProposalState } from './stamp-proposal.entity.js';
import { StampRegistryService, type ScopeInfo } from './stamp-registry.service.js';
import { StampSampleFormsService } from './stamp-sample-forms.service.js';

/** The approval flow of a proposal (workflows/stamp-list.bpmn). */
export const STAMP_LIST_PROCESS = 'stampList';

export interface ProposalView {
  proposal: StampProposal;
  proposerName: string | null;
  proposerUnitName: string | null;
  deciderName: string | null;
  scope: ScopeInfo;
  /** Against what is in force (a published one: as it stood just before it was published). */
  diff: ChangeDiff[];
}

export interface ProposalFilter extends PageQuery {
  state?: ProposalState;
}

/**
 * Changes to the stamp registry as an approval flow (issue 13 §4): the office of a leading group proposes a change
 * set within its scope; the principal leader of its level approves or rejects it; an approved set is published in
 * one transaction and joins the public answers from its effective date.
 */
@Injectable()
export class StampProposalsService extends StampChangeProposals {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly orgScope: OrgScope,
    private readonly registry: StampRegistryService,
    private readonly sampleForms: StampSampleFormsService,
  ) {
    super();
  }

  /**
   * The scopes an office may propose in (issue 13 §4): a district office its district (its 6-digit code); the
   * city office its city (4 digits), and the national and its province's lists, which it enters citing their
   * document. Anyone else: none.
   */
  async scopesOf(m: EntityManager, p: Principal | undefined): Promise<string[]> {
    if (!p || p.unitKind !== 'LEADING_GROUP_OFFICE') return [];
    const rows: { code: string; kind: string }[] = await m.query(
      `SELECT code, kind FROM org_unit WHERE path = $1 AND kind IN ('CITY', 'DISTRICT') AND active`,
      [p.scopePath],
    );
    const level = rows[0];
    if (!level || !this.orgScope.inArea(p.unitPath, p.scopePath)) return [];
    if (level.kind === 'DISTRICT' && /^\d{6}$/.test(level.code)) return [level.code];
    if (level.kind === 'CITY' && /^\d{4}$/.test(level.code)) return ['', level.code.slice(0, 2), level.code];
    return [];
  }

  /** The scopes the principal may propose in, with their names (the proposal form offers them). */
  async proposableScopes(p: Principal): Promise<ScopeInfo[]> {
    const scopes = await this.scopesOf(this.dataSource.manager, p);
    const names = await this.registry.scopeNames(scopes);
    return scopes.map((c) => names.get(c)!);
  }

  /**
   * The registry checks of a well-formed set, in `m` (under the locks of its keys when publishing): every list and
   * entry it names exists (404) and lies in the set's scope, which the proposer may propose in (403); changes do
   * not take effect before the version they follow (409 STAMP_ENTRY_BACKDATED), retirements not before the start
   * (400 STAMP_RETIREMENT_BEFORE_START).
   */
  private async checkAgainstRegistry(m: EntityManager, set: StampChangeSet, scopes: string[]): Promise<void> {
    const outOfScope = (scopeCode: string, details: Record<string, unknown>) =>
      new AppError('STAMP_PROPOSAL_OUT_OF_SCOPE', { ...details, scopeCode, allowed: scopes });
    if (!scopes.includes(set.scopeCode)) throw outOfScope(set.scopeCode, {});
    const newLists = new Set<string>();
    for (const [i, c] of set.changes.entries()) {
      if (c.kind === 'new-list') {
        // Twice in one set is two copies as well.
        const identity = `${c.list.listType}|${set.scopeCode}|${c.list.documentNumber}`;
        if (newLists.has(identity))
          throw new AppError('STAMP_LIST_EXISTS', {
            field: `changes.${i}.list.documentNumber`,
            documentNumber: c.list.documentNumber,
          });
        newLists.add(identity);
        // One list per type, scope and document number: one published since (another proposal of the same
        // file) makes this one a second copy.
        const [known] = await m.query(
          `SELECT 1 FROM stamp_list WHERE list_type = $1 AND scope_code = $2 AND document_number = $3 LIMIT 1`,
          [c.list.listType, set.scopeCode, c.list.documentNumber],
        );
        if (known)
          throw new AppError('STAMP_LIST_EXISTS', {
            field: `changes.${i}.list.documentNumber`,
            documentNumber: c.list.documentNumber,
          });
        continue;
      }
      if (c.kind === 'add-entries' || c.kind === 'retire-list') {
        const list = isUuid(c.listKey) ? await latestListVersion(m, c.listKey) : null;
        if (!list)
          throw new AppError('STAMP_LIST_NOT_FOUND', { field: `changes.${i}.listKey`, listKey: c.listKey });
        if (list.scopeCode !== set.scopeCode)
          throw outOfScope(list.scopeCode, { field: `changes.${i}.listKey`, listKey: c.listKey });
        if (c.kind === 'retire-list') checkRetirement(list, c.lastDay, { field: `changes.${i}.lastDay` });
        continue;
      }
      const last = isUuid(c.entryKey) ? await latestEntryVersion(m, c.entryKey) : null;
      if (!last)
        throw new AppError('STAMP_ENTRY_NOT_FOUND', { field: `changes.${i}.entryKey`, entryKey: c.entryKey });
      const list = await latestListVersion(m, last.listKey);
      if (!list || list.scopeCode !== set.scopeCode)
        throw outOfScope(list?.scopeCode ?? '', { field: `changes.${i}.entryKey`, entryKey: c.entryKey });
      if (c.kind === 'retire-entry') checkRetirement(last, c.lastDay, { field: `changes.${i}.lastDay` });
      else if (c.change.effectiveFrom < String(last.effectiveFrom))
        throw new AppError('STAMP_ENTRY_BACKDATED', {
          field: `changes.${i}.change.effectiveFrom`,
          entryKey: c.entryKey,
          effectiveFrom: c.change.effectiveFrom,
          previousEffectiveFrom: String(last.effectiveFrom),
        });
    }
  }

  /** Proposes a change set (typed on the console, or an import's good rows) and starts its approval case. */
  async propose(actor: Actor, input: StampChangeSet): Promise<ProposedStampChange> {
    const p = actor.principal;
    const set = validateChangeSet(input);
    return this.dataSource.transaction(async (m) => {
      const scopes = await this.scopesOf(m, p);
      await this.checkAgainstRegistry(m, set, scopes);
      await this.sampleForms.checkNamed(m, p!.unitId, set.changes);
      const diff = await diffChanges(m, set.changes);
      const empty = diff.findIndex(
        (d) => d.kind === 'change-entry' && d.fields.every((f) => f.field === 'effectiveFrom'),
      );
      if (empty >= 0)
        throw new AppError('VALIDATION_FAILED', [
          {
            field: `changes.${empty}.change`,
            problems: [
              `修改后的内容与现行版本相同，没有修改任何内容。changes.${empty}.change changes nothing.`,
            ],
          },
        ]);
      const row = m.create(StampProposal, {
        scopeCode: set.scopeCode,
        summary: set.summary,
        origin: set.origin,
        changes: set.changes,
        state: 'proposed',
        proposedBy: p!.userId,
        proposerUnitId: p!.unitId,
        instanceId: null,
        createdAt: this.clock.now(),
      });
      await m.insert(StampProposal, row);
      const started = await this.runtime.start(
        actor,
        {
          processId: STAMP_LIST_PROCESS,
          businessKey: row.id,
          ownerUnitId: p!.unitId,
          variables: { proposalId: row.id },
        },
        m,
      );
      await m.update(StampProposal, { id: row.id }, { instanceId: started.id });
      await this.audit.record(m, actor, {
        action: 'stamp-proposal.proposed',
        entityType: 'stamp_proposal',
        entityId: row.id,
        data: {
          scopeCode: set.scopeCode,
          summary: set.summary,
          origin: set.origin,
          changes: set.changes.map((c) => c.kind),
          instanceId: started.id,
        },
      });
      return { proposalId: row.id, instanceId: started.id };
    });
  }

  /** The proposals of units in the reader's area (an office and its leader: their level's), newest first. */
  async list(p: Principal, q: ProposalFilter): Promise<Page<ProposalView>> {
    const req = pageRequest(q);
    const qb = this.dataSource
      .getRepository(StampProposal)
      .createQueryBuilder('s')
      .innerJoin('org_unit', 'u', 'u.id = s.proposer_unit_id')
      .where(this.orgScope.sqlInArea('u.path', ':area'), { area: p.scopePath });
    if (q.state) qb.andWhere('s.state = :state', { state: q.state });
    const [rows, total] = await qb
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'ASC')
      .skip(req.offset)
      .take(req.pageSize)
      .getManyAndCount();
    const views = await Promise.all(rows.map((r) => this.view(this.dataSource.manager, r, false)));
    return toPage(views, total, req);
  }

  /** One proposal with its diff; one outside the reader's area answers as a missing one. */
  async get(p: Principal, id: string): Promise<ProposalView> {
    const m = this.dataSource.manager;
    const row = isUuid(id) ? await m.findOneBy(StampProposal, { id }) : null;
    const unit = row ? await m.query(`SELECT path FROM org_unit WHERE id = $1`, [row.proposerUnitId]) : [];
    if (!row || !unit.length || !this.orgScope.inArea(unit[0].path, p.scopePath))
      throw new AppError('STAMP_PROPOSAL_NOT_FOUND');
    return this.view(m, row, true);
  }

  private async view(m: EntityManager, row: StampProposal, withDiff: boolean): Promise<ProposalView> {
    const names: { proposer: string | null; unit: string | null; decider: string | null }[] = await m.query(
      `SELECT (SELECT display_name FROM app_user WHERE id = $1) AS proposer,
              (SELECT name FROM org_unit WHERE id = $2) AS unit,
              (SELECT display_name FROM app_user WHERE id = $3) AS decider`,
      [row.proposedBy, row.proposerUnitId, row.decidedBy],
    );
    const scopes = await this.registry.scopeNames([row.scopeCode]);
    let diff: ChangeDiff[] = [];
    if (withDiff)
      diff = row.publishedDiff ? (row.publishedDiff as ChangeDiff[]) : await diffChanges(m, row.changes);
    return {
      proposal: row,
      proposerName: names[0]?.proposer ?? null,
      proposerUnitName: names[0]?.unit ?? null,
      deciderName: names[0]?.decider ?? null,
      scope: scopes.get(row.scopeCode)!,
      diff,
    };
  }

  /**
   * The leader's approval, checked inside the completing step: the set must still fit the registry (another
   * proposal may have changed an entry meanwhile), under the locks of its lists and entries, which the step holds
   * until the set is published in the same transaction.
   */
  async checkApprovable(m: EntityManager, id: string): Promise<void> {
    const row = await m.findOneBy(StampProposal, { id });
    if (!row) throw new AppError('STAMP_PROPOSAL_NOT_FOUND');
    await this.lockTargets(m, row);
    await this.checkAgainstRegistry(m, row, [row.scopeCode]);
  }

  private async lockTargets(m: EntityManager, row: StampProposal): Promise<void> {
    const lists: string[] = [];
    const entries: string[] = [];
    const documents: string[] = [];
    for (const c of row.changes) {
      if (c.kind === 'add-entries' || c.kind === 'retire-list') lists.push(c.listKey);
      if (c.kind === 'change-entry' || c.kind === 'retire-entry') entries.push(c.entryKey);
      if (c.kind === 'new-list')
        documents.push(`${c.list.listType}|${row.scopeCode}|${c.list.documentNumber}`);
    }
    await lockStampKeys(m, { lists, entries, documents });
  }

  /** Approved (the service task after the leader's approval): the decision is recorded. */
  async approved(m: EntityManager, id: string, actor: Actor, comment: string | null): Promise<void> {
    await this.decide(m, id, actor, comment, 'approved');
  }

  /** Rejected by the leader, with the comment: nothing is written to the registry. */
  async rejected(m: EntityManager, id: string, actor: Actor, comment: string | null): Promise<void> {
    await this.decide(m, id, actor, comment, 'rejected');
  }

  private async decide(
    m: EntityManager,
    id: string,
    actor: Actor,
    comment: string | null,
    state: 'approved' | 'rejected',
  ): Promise<void> {
    const r = await m
      .createQueryBuilder()
      .update(StampProposal)
      .set({
        state,
        decidedBy: actor.principal?.userId ?? null,
        decidedAt: this.clock.now(),
        decisionComment: comment,
      })
      .where('id = :id AND state = :from', { id, from: 'proposed' })
      .execute();
    if (!r.affected) throw new AppError('CONCURRENT_UPDATE');
    await this.audit.record(m, actor, {
      action: `stamp-proposal.${state}`,
      entityType: 'stamp_proposal',
      entityId: id,
      data: { comment },
    });
  }

  /** The office terminated (终止) the case before it was published: the proposal ends as not adopted. */
  async terminated(m: EntityManager, id: string, actor: Actor, reason: string | null): Promise<void> {
    const r = await m
      .createQueryBuilder()
      .update(StampProposal)
      .set({
        state: 'rejected',
        decidedBy: actor.principal?.userId ?? null,
        decidedAt: this.clock.now(),
        decisionComment: `案件终止${reason ? `：${reason}` : ''}`,
      })
      .where('id = :id AND state IN (:...from)', { id, from: ['proposed', 'approved'] })
      .execute();
    if (!r.affected) throw new AppError('CONCURRENT_UPDATE');
    await this.audit.record(m, actor, {
      action: 'stamp-proposal.terminated',
      entityType: 'stamp_proposal',
      entityId: id,
      data: { reason },
    });
  }

  /**
   * Publishes an approved set into the versioned lists, all changes in the step's one transaction (any refusal
   * rolls all of them back and the case waits with an incident): the answers change from each effective date.
   */
  async publish(m: EntityManager, id: string, actor: Actor): Promise<void> {
    const row = await m.findOneBy(StampProposal, { id });
    if (!row) throw new AppError('STAMP_PROPOSAL_NOT_FOUND');
    if (row.state !== 'approved') throw new AppError('CONCURRENT_UPDATE');
    await this.lockTargets(m, row);
    await this.checkAgainstRegistry(m, row, [row.scopeCode]);
    const diff = await diffChanges(m, row.changes);
    const recordedFrom = `清单调整 ${row.id}`;
    for (const c of row.changes) {
      if (c.kind === 'new-list')
        await publishStampList(m, this.audit, actor, { ...c.list, recordedFrom, entries: c.entries });
      else if (c.kind === 'add-entries') await addStampEntries(m, this.audit, actor, c.listKey, c.entries);
      else if (c.kind === 'change-entry')
        await recordEntryVersion(m, this.audit, actor, c.entryKey, c.change);
      else if (c.kind === 'retire-entry') await retireStampEntry(m, this.audit, actor, c.entryKey, c.lastDay);
      else await retireStampList(m, this.audit, actor, c.listKey, c.lastDay);
    }
    const r = await m
      .createQueryBuilder()
      .update(StampProposal)
      .set({ state: 'published', publishedAt: this.clock.now(), publishedDiff: diff as unknown as object })
      .where('id = :id AND state = :from', { id, from: 'approved' })
      .execute();
    if (!r.affected) throw new AppError('CONCURRENT_UPDATE');
    await this.audit.record(m, actor, {
      action: 'stamp-proposal.published',
      entityType: 'stamp_proposal',
      entityId: id,
      data: { changes: row.changes.length, effectiveDates: diff.map((d) => d.effectiveDate) },
    });
  }
}
