import type { Actor } from '../common/actor.js';
import type { NewStampEntry, NewStampList } from './stamp-lists.js';

/**
 * One change to the stamp registry, as a proposal carries it (issue 13 §4): a new list with its entries, entries
 * added to a list in force, a new version of an entry (from its own effective date), or the retirement of an entry
 * or of a whole list (its last day in force). Proposals typed on the console and imports (CSV/XLSX) both end as a
 * change set; nothing is written to the registry until the principal leader approves it.
 */
export type StampChange =
  | { kind: 'new-list'; list: Omit<NewStampList, 'entries' | 'recordedFrom'>; entries: NewStampEntry[] }
  | { kind: 'add-entries'; listKey: string; entries: NewStampEntry[] }
  | { kind: 'change-entry'; entryKey: string; change: Partial<NewStampEntry> & { effectiveFrom: string } }
  | { kind: 'retire-entry'; entryKey: string; lastDay: string }
  | { kind: 'retire-list'; listKey: string; lastDay: string };

export interface StampChangeSet {
  /** The division the change is in: '' national (entered by a city office citing the document), else 2/4/6 digits. */
  scopeCode: string;
  /** What the proposer says about it (shown on the approval page). */
  summary: string;
  /** Where it came from: typed on the console, or an import (its file name and report id). */
  origin: { kind: 'typed' } | { kind: 'import'; importId: string; fileName: string };
  changes: StampChange[];
}

export interface ProposedStampChange {
  proposalId: string;
  /** The approval case (workflows/stamp-list.bpmn). */
  instanceId: string;
}

/**
 * Starts the approval of a change set (the proposals service provides it; imports use it to turn their good rows
 * into a proposal). Throws the same errors as the proposal route: 403 outside the proposer's scope, 400 on an
 * empty or invalid set.
 */
export abstract class StampChangeProposals {
  abstract propose(actor: Actor, set: StampChangeSet): Promise<ProposedStampChange>;
}
