/** What the stamp-registry pages (盖章证明事项清单) read from the API, and the names they show. */

export interface StampScope {
  code: string;
  level: 'national' | 'province' | 'city' | 'district';
  name: string;
}

/** A row of `GET /stamp-lists` (StampListRowDto). */
export interface StampListRow {
  listKey: string;
  id: string;
  version: number;
  title: string;
  documentNumber: string;
  issuedBy: string;
  issuedOn: string;
  link: string | null;
  listType: 'allowed' | 'prohibited';
  scope: StampScope;
  effectiveFrom: string;
  effectiveTo: string | null;
  status: 'in-force' | 'not-yet' | 'ended';
  versions: number;
  entries: number;
  recordedFrom: string | null;
}

export interface FieldDiff {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

/** A sample form (证明式样) as the API links it (StampSampleFormRefDto): downloaded without logging in. */
export interface SampleFormRef {
  id: string;
  fileName: string;
  url: string;
}

/** A sample form chosen in the proposal form: uploaded, named by its id. */
export interface SampleFormChoice {
  id: string;
  fileName: string;
}

export interface StampEntryVersion {
  id: string;
  version: number;
  seq: number | null;
  name: string;
  aliases: string[];
  legalBasis: string;
  purpose: string | null;
  conditions: string | null;
  procedure: string | null;
  timeLimit: string | null;
  sampleForm: SampleFormRef | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  recordedAt: string;
  changes: FieldDiff[];
}

export interface StampEntryHistory {
  entryKey: string;
  name: string;
  status: StampListRow['status'];
  /** The version answering today (none begun yet: the newest). */
  currentVersion: number;
  versions: StampEntryVersion[];
}

/** `GET /stamp-lists/:listKey` (StampListDetailDto). */
export interface StampListDetail extends StampListRow {
  listVersions: {
    id: string;
    version: number;
    title: string;
    documentNumber: string;
    effectiveFrom: string;
    effectiveTo: string | null;
    recordedAt: string;
    recordedFrom: string | null;
  }[];
  entryHistory: StampEntryHistory[];
}

export interface ChangeDiff {
  kind: string;
  kindName: string;
  effectiveDate: string;
  list: {
    listKey: string | null;
    title: string;
    documentNumber: string;
    listType: 'allowed' | 'prohibited';
    scopeCode: string;
  };
  fields: FieldDiff[];
  entry: { entryKey: string; name: string } | null;
  added: { entryKey: string | null; name: string; fields: FieldDiff[] }[];
  retired: { entryKey: string; name: string }[];
  notes: string[];
}

/** A row of `GET /stamp-proposals` (StampProposalDto). */
export interface StampProposalRow {
  id: string;
  state: 'proposed' | 'approved' | 'rejected' | 'published';
  stateName: string;
  scope: StampScope;
  summary: string;
  origin: 'typed' | 'import';
  changesText: string;
  proposerName: string | null;
  proposerUnitName: string | null;
  createdAt: string;
  instanceId: string | null;
  deciderName: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  publishedAt: string | null;
}

/** `GET /stamp-proposals/:id` (StampProposalDetailDto). */
export interface StampProposalDetail extends StampProposalRow {
  diff: ChangeDiff[];
}

export const LIST_TYPE_NAMES: Record<string, string> = { allowed: '可以出具', prohibited: '不应出具' };
export const LIST_STATUS_NAMES: Record<string, string> = {
  'in-force': '现行有效',
  'not-yet': '尚未生效',
  ended: '已废止',
};
export const PROPOSAL_STATE_NAMES: Record<string, string> = {
  proposed: '待审批',
  approved: '已同意，待发布',
  rejected: '不予调整',
  published: '已发布',
};
export const SCOPE_LEVEL_NAMES: Record<string, string> = {
  national: '全国',
  province: '省级',
  city: '市级',
  district: '县区级',
};

export function listTypeTag(t: string): 'success' | 'danger' {
  return t === 'allowed' ? 'success' : 'danger';
}

export function statusTag(s: string): 'success' | 'info' | 'warning' {
  return s === 'in-force' ? 'success' : s === 'not-yet' ? 'warning' : 'info';
}

export function stateTag(s: string): 'success' | 'info' | 'warning' | 'danger' {
  return s === 'published' ? 'success' : s === 'rejected' ? 'danger' : s === 'approved' ? 'info' : 'warning';
}

/** 长期有效 for an open end. */
export function untilText(day: string | null): string {
  return day ?? '长期有效';
}
