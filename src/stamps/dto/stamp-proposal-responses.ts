import type { ListDetail, ListSummary } from '../stamp-list-reads.js';
import type { ProposalView } from '../stamp-proposals.service.js';
import type { StampList } from '../stamp-registry.entities.js';
import { timeLimitText } from '../stamp-registry.service.js';
import { sampleFormUrl } from '../stamp-sample-forms.service.js';
import { changeCounts } from '../stamp-workflow.js';
import type {
  ChangeDiffDto,
  StampListDetailDto,
  StampListRowDto,
  StampProposalDetailDto,
  StampProposalDto,
} from './stamp-proposals.dto.js';

export const PROPOSAL_STATE_NAMES = {
  proposed: '待审批',
  approved: '已同意，待发布',
  rejected: '不予调整',
  published: '已发布',
} as const;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toStampProposalDto(v: ProposalView): StampProposalDto {
  const p = v.proposal;
  return {
    id: p.id,
    state: p.state,
    stateName: PROPOSAL_STATE_NAMES[p.state],
    scope: v.scope,
    summary: p.summary,
    origin: p.origin.kind,
    changesText: changeCounts(p.changes),
    proposerName: v.proposerName,
    proposerUnitName: v.proposerUnitName,
    createdAt: iso(p.createdAt)!,
    instanceId: p.instanceId,
    deciderName: v.deciderName,
    decidedAt: iso(p.decidedAt),
    decisionComment: p.decisionComment,
    publishedAt: iso(p.publishedAt),
  };
}

export function toStampProposalDetailDto(v: ProposalView): StampProposalDetailDto {
  return { ...toStampProposalDto(v), diff: v.diff as ChangeDiffDto[] };
}

function listRow(l: StampList) {
  return {
    listKey: l.listKey,
    id: l.id,
    version: l.version,
    title: l.title,
    documentNumber: l.documentNumber,
    issuedBy: l.issuedBy,
    issuedOn: l.issuedOn,
    link: l.link,
    listType: l.listType,
    effectiveFrom: String(l.effectiveFrom),
    effectiveTo: l.effectiveTo === null ? null : String(l.effectiveTo),
    recordedFrom: l.recordedFrom,
  };
}

export function toStampListRowDto(s: ListSummary): StampListRowDto {
  return { ...listRow(s.list), scope: s.scope, status: s.status, versions: s.versions, entries: s.entries };
}

export function toStampListDetailDto(d: ListDetail): StampListDetailDto {
  return {
    ...toStampListRowDto(d),
    listVersions: d.listVersions.map((l) => ({
      id: l.id,
      version: l.version,
      title: l.title,
      documentNumber: l.documentNumber,
      effectiveFrom: String(l.effectiveFrom),
      effectiveTo: l.effectiveTo === null ? null : String(l.effectiveTo),
      recordedAt: iso(l.recordedAt)!,
      recordedFrom: l.recordedFrom,
    })),
    entryHistory: d.entryHistory.map((h) => ({
      entryKey: h.entryKey,
      name: h.current.name,
      status: h.status,
      currentVersion: h.current.version,
      versions: h.versions.map(({ version: e, changes }) => ({
        id: e.id,
        version: e.version,
        seq: e.seq,
        name: e.name,
        aliases: e.aliases,
        legalBasis: e.legalBasis,
        purpose: e.purpose,
        conditions: e.conditions,
        procedure: e.procedure,
        timeLimit: timeLimitText(e.timeLimitKind, e.timeLimitWorkingDays),
        sampleForm: e.sampleFormAttachmentId
          ? {
              id: e.sampleFormAttachmentId,
              fileName: d.sampleForms.get(e.sampleFormAttachmentId) ?? '证明式样',
              url: sampleFormUrl(e.sampleFormAttachmentId),
            }
          : null,
        effectiveFrom: String(e.effectiveFrom),
        effectiveTo: e.effectiveTo === null ? null : String(e.effectiveTo),
        recordedAt: iso(e.recordedAt)!,
        changes,
      })),
    })),
  };
}
