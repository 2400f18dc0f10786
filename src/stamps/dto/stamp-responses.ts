import type { InForceEntry, Overridden } from '../precedence.js';
import type { ScopeInfo, StampAnswer } from '../stamp-registry.service.js';
import { timeLimitText } from '../stamp-registry.service.js';
import { sampleFormUrl } from '../stamp-sample-forms.service.js';
import type {
  StampCandidateDto,
  StampCheckDto,
  StampItemDto,
  StampOverriddenDto,
  StampSearchRowDto,
  StampSourceDto,
} from './stamp-items.dto.js';

/** Maps the registry's answers to what goes on the wire (only the fields a client may see). */
export function toStampItemDto(x: InForceEntry): StampItemDto {
  const e = x.entry;
  return {
    id: e.id,
    entryKey: e.entryKey,
    version: e.version,
    seq: e.seq,
    name: e.name,
    aliases: e.aliases,
    listType: x.list.listType,
    legalBasis: e.legalBasis,
    purpose: e.purpose,
    conditions: e.conditions,
    procedure: e.procedure,
    sampleFormAttachmentId: e.sampleFormAttachmentId,
    // The file name comes with the entry from the registry in memory: no query per answer.
    sampleForm: e.sampleFormAttachmentId
      ? {
          id: e.sampleFormAttachmentId,
          fileName: e.sampleFormFileName ?? '证明式样',
          url: sampleFormUrl(e.sampleFormAttachmentId),
        }
      : null,
    timeLimit: e.timeLimitKind
      ? {
          kind: e.timeLimitKind,
          workingDays: e.timeLimitWorkingDays,
          text: timeLimitText(e.timeLimitKind, e.timeLimitWorkingDays) ?? '',
        }
      : null,
    effectiveFrom: e.effectiveFrom,
    effectiveTo: e.effectiveTo,
  };
}

function scopeOf(code: string, scopes: Map<string, ScopeInfo>): ScopeInfo {
  return scopes.get(code) ?? { code, level: 'national', name: code || '全国' };
}

export function toStampSourceDto(x: InForceEntry, scopes: Map<string, ScopeInfo>): StampSourceDto {
  const l = x.list;
  return {
    listId: l.id,
    listKey: l.listKey,
    title: l.title,
    documentNumber: l.documentNumber,
    issuedBy: l.issuedBy,
    issuedOn: l.issuedOn,
    link: l.link,
    listType: l.listType,
    scope: scopeOf(l.scopeCode, scopes),
    effectiveFrom: l.effectiveFrom,
    effectiveTo: l.effectiveTo,
  };
}

function toOverriddenDto(o: Overridden, scopes: Map<string, ScopeInfo>): StampOverriddenDto {
  return { item: toStampItemDto(o), source: toStampSourceDto(o, scopes), reason: o.reason };
}

function toCandidateDto(x: InForceEntry, scopes: Map<string, ScopeInfo>): StampCandidateDto {
  return {
    name: x.entry.name,
    listType: x.list.listType,
    documentNumber: x.list.documentNumber,
    scope: scopeOf(x.list.scopeCode, scopes),
  };
}

export function toStampCheckDto(a: StampAnswer): StampCheckDto {
  return {
    decision: a.decision,
    name: a.name,
    community: a.community,
    date: a.date,
    item: a.deciding ? toStampItemDto(a.deciding) : null,
    legalBasis: a.deciding?.entry.legalBasis ?? null,
    source: a.deciding ? toStampSourceDto(a.deciding, a.scopes) : null,
    overridden: a.overridden.map((o) => toOverriddenDto(o, a.scopes)),
    candidates: a.candidates.map((c) => toCandidateDto(c, a.scopes)),
    message: a.message,
  };
}

export function toStampSearchRowDto(x: InForceEntry, scopes: Map<string, ScopeInfo>): StampSearchRowDto {
  return { item: toStampItemDto(x), source: toStampSourceDto(x, scopes) };
}
