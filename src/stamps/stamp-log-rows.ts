/*
 * The stamp log's entries as the API shows them (用印登记, issue 13 §6): the one SELECT every read uses, the view
 * with the requester's phone masked for those who oversee, and who may read the log at all.
 */
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { Permission } from '../auth/permissions.js';
import { UnitKind } from '../org/org-unit.entity.js';
import type { LoggedDecision } from './stamp-log.entities.js';

export interface StampLogPerson {
  id: string;
  username: string;
  displayName: string;
}

export interface StampLogView {
  id: string;
  community: { id: string; code: string; name: string };
  stampedAt: Date;
  stampedOn: string;
  certificateName: string;
  decision: LoggedDecision;
  decidingEntryId: string | null;
  listedName: string | null;
  sourceDocument: string | null;
  legalBasis: string;
  legalBasisEntered: boolean;
  purpose: string;
  copies: number;
  requesterName: string;
  requesterPhone: string;
  phoneMasked: boolean;
  handler: StampLogPerson;
  approver: StampLogPerson;
  recordedBy: StampLogPerson;
  recordedAt: Date;
  correctsId: string | null;
  void: { reason: string; voidedBy: StampLogPerson; voidedAt: Date; correctedBy: string | null } | null;
}

export interface StampLogCount {
  community: { id: string; code: string; name: string };
  certificate: string;
  decision: LoggedDecision;
  entries: number;
  copies: number;
}

/** 138****1234: the first three and the last four characters kept, the rest starred. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

export const person = (id: string, username: string, displayName: string): StampLogPerson => ({
  id,
  username,
  displayName,
});

/** The entry with its community, people and void, for every read. */
export const SELECT_ENTRY = `
  SELECT e.id, e.community_id, c.code AS community_code, c.name AS community_name, e.stamped_at,
         to_char(e.stamped_on, 'YYYY-MM-DD') AS stamped_on, e.certificate_name, e.decision, e.deciding_entry_id,
         e.listed_name, e.source_document, e.legal_basis, e.legal_basis_entered, e.purpose, e.copies,
         e.requester_name, e.requester_phone, e.recorded_at, e.corrects_id,
         e.handler_id, h.username AS handler_username, h.display_name AS handler_name,
         e.approver_id, a.username AS approver_username, a.display_name AS approver_name,
         e.recorded_by, r.username AS recorder_username, r.display_name AS recorder_name,
         v.reason AS void_reason, v.voided_at, v.voided_by, vu.username AS voider_username,
         vu.display_name AS voider_name, k.id AS corrected_by
    FROM stamp_log_entry e
    JOIN org_unit c ON c.id = e.community_id
    JOIN app_user h ON h.id = e.handler_id
    JOIN app_user a ON a.id = e.approver_id
    JOIN app_user r ON r.id = e.recorded_by
    LEFT JOIN stamp_log_void v ON v.entry_id = e.id
    LEFT JOIN app_user vu ON vu.id = v.voided_by
    LEFT JOIN stamp_log_entry k ON k.corrects_id = e.id`;

export type EntryRow = Record<string, unknown> & {
  id: string;
  community_id: string;
  requester_phone: string;
};

/** The caller as a committee of a community (the route's permission makes it one; anything else: 403). */
export function committeeOf(actor: Actor): Principal {
  const p = actor.principal;
  if (!p || p.unitKind !== UnitKind.COMMUNITY) throw new AppError('FORBIDDEN');
  return p;
}

/** The caller as one who oversees communities: the street and the district (burden:read), the auditor. */
export function overseerOf(actor: Actor): Principal {
  const p = actor.principal;
  if (!p || !(p.permissions.has(Permission.BURDEN_READ) || p.permissions.has(Permission.AUDIT_READ)))
    throw new AppError('FORBIDDEN', {
      required: [Permission.BURDEN_READ, Permission.AUDIT_READ],
      any: true,
    });
  return p;
}

/** Issue 13 §6: the requester's phone is shown whole only to the community's own committee and the auditor. */
export function toView(r: EntryRow, p: Principal): StampLogView {
  const whole = p.unitId === r.community_id || p.permissions.has(Permission.AUDIT_READ);
  const s = (k: string) => r[k] as string;
  return {
    id: r.id,
    community: { id: r.community_id, code: s('community_code'), name: s('community_name') },
    stampedAt: r.stamped_at as Date,
    stampedOn: s('stamped_on'),
    certificateName: s('certificate_name'),
    decision: r.decision as LoggedDecision,
    decidingEntryId: (r.deciding_entry_id as string | null) ?? null,
    listedName: (r.listed_name as string | null) ?? null,
    sourceDocument: (r.source_document as string | null) ?? null,
    legalBasis: s('legal_basis'),
    legalBasisEntered: r.legal_basis_entered as boolean,
    purpose: s('purpose'),
    copies: r.copies as number,
    requesterName: s('requester_name'),
    requesterPhone: whole ? r.requester_phone : maskPhone(r.requester_phone),
    phoneMasked: !whole,
    handler: person(s('handler_id'), s('handler_username'), s('handler_name')),
    approver: person(s('approver_id'), s('approver_username'), s('approver_name')),
    recordedBy: person(s('recorded_by'), s('recorder_username'), s('recorder_name')),
    recordedAt: r.recorded_at as Date,
    correctsId: (r.corrects_id as string | null) ?? null,
    void: r.voided_at
      ? {
          reason: s('void_reason'),
          voidedBy: person(s('voided_by'), s('voider_username'), s('voider_name')),
          voidedAt: r.voided_at as Date,
          correctedBy: (r.corrected_by as string | null) ?? null,
        }
      : null,
  };
}
