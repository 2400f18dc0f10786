import type { AdmissionApplication } from './admission-application.entity.js';
import type { ApplicationFieldsDto } from './dto/application.dto.js';

/** The fields of the application form (准入审批表), as the entity and the DTO name them. */
export const FORM_FIELDS = [
  'kind',
  'title',
  'content',
  'legalBasisDocument',
  'legalBasisArticle',
  'statutoryArea',
  'targetScope',
  'targetUnitId',
  'targetCommunityIds',
  'authorizedContent',
  'targetPopulation',
  'powers',
  'startDate',
  'endDate',
  'workloadHoursPerMonth',
  'frequency',
  'fundingPerCommunityFen',
  'fundingSource',
  'supportOffered',
  'contactName',
  'contactPhone',
  'regularizesItemId',
  'reportFields',
  'certificateName',
  'noticeWorkingDays',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** A form's fields as columns (numbers as the strings numeric columns hold; a list sent as null is emptied). */
export function columnsOf(f: Partial<ApplicationFieldsDto>): Partial<AdmissionApplication> {
  const out: Record<string, unknown> = {};
  for (const k of FORM_FIELDS) {
    if (!(k in f)) continue;
    const v = f[k];
    if (k === 'workloadHoursPerMonth' || k === 'fundingPerCommunityFen')
      out[k] = v === undefined || v === null ? null : String(v);
    // A list sent as null is cleared: the column holds an empty list, never null.
    else if (k === 'targetCommunityIds' || k === 'reportFields') out[k] = v ?? [];
    else out[k] = v;
  }
  return out as Partial<AdmissionApplication>;
}

/** An application's filled-in fields, as the form has them. */
export function fieldsOf(app: AdmissionApplication): ApplicationFieldsDto {
  const out: Record<string, unknown> = {};
  for (const k of FORM_FIELDS) {
    const v = app[k];
    if (v === null || v === undefined) continue;
    out[k] = k === 'workloadHoursPerMonth' || k === 'fundingPerCommunityFen' ? Number(v) : v;
  }
  if (!app.targetCommunityIds?.length) delete out.targetCommunityIds;
  if (!app.reportFields?.length) delete out.reportFields;
  return out as ApplicationFieldsDto;
}

/** What the reviewers were given at a submission: the filled-in fields. */
export function snapshotOf(app: AdmissionApplication): Record<string, unknown> {
  return fieldsOf(app) as Record<string, unknown>;
}

/**
 * Field → { before, after } for every field whose value differs between two snapshots of the form (a field
 * filled in, changed or emptied); a field missing from one side is null there.
 */
export function snapshotDiff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, { before: unknown; after: unknown }> {
  const diff: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of FORM_FIELDS)
    if (JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
      diff[k] = { before: before[k] ?? null, after: after[k] ?? null };
  return diff;
}
