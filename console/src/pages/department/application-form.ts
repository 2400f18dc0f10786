/**
 * The 准入审批表 as the department's application page edits it: the form's values as typed, how they come from and
 * go to the API, and what the page's parts share (provided by ApplicationPage, injected by its components).
 */
import { inject, type ComputedRef, type InjectionKey, type Ref } from 'vue';
import { fenOf, yuanInput, type Application, type Problem } from './application';

/** A unit of the organization tree as the pickers list it (`GET /org/units`). */
export interface Unit {
  id: string;
  code: string;
  name: string;
  kind: string;
  parentId: string | null;
  active?: boolean;
}

/** A statutory area (`GET /admission/statutory-areas`). */
export interface StatutoryArea {
  code: string;
  nameZh: string;
}

/** The form as typed: texts, the amount in 元, lists. */
export const blankForm = () => ({
  kind: '',
  title: '',
  content: '',
  legalBasisDocument: '',
  legalBasisArticle: '',
  statutoryArea: '',
  targetScope: '' as '' | 'all' | 'list',
  targetUnitId: '',
  targetCommunityIds: [] as string[],
  authorizedContent: '',
  targetPopulation: '',
  powers: '',
  startDate: '',
  endDate: '',
  workloadHoursPerMonth: '',
  frequency: '',
  fundingYuan: '',
  fundingSource: '',
  supportOffered: '',
  contactName: '',
  contactPhone: '',
  regularizesItemId: '',
  reportFieldsText: '',
  certificateName: '',
  noticeWorkingDays: '',
});

/**
 * Element Plus sets a cleared select to undefined and a cleared date picker to null: every value here may be one
 * of those too, whatever the types say.
 */
export type FormValues = ReturnType<typeof blankForm>;

/** The application's values into the form (amounts as 元, the report's fields one a line). */
export function fillForm(form: FormValues, a: Application): void {
  Object.assign(form, {
    kind: a.kind ?? '',
    title: a.title ?? '',
    content: a.content ?? '',
    legalBasisDocument: a.legalBasisDocument ?? '',
    legalBasisArticle: a.legalBasisArticle ?? '',
    statutoryArea: a.statutoryArea ?? '',
    targetScope: a.targetScope ?? '',
    targetUnitId: a.targetUnitId ?? '',
    targetCommunityIds: [...a.targetCommunityIds],
    authorizedContent: a.authorizedContent ?? '',
    targetPopulation: a.targetPopulation ?? '',
    powers: a.powers ?? '',
    startDate: a.startDate ?? '',
    endDate: a.endDate ?? '',
    workloadHoursPerMonth: a.workloadHoursPerMonth ?? '',
    frequency: a.frequency ?? '',
    fundingYuan: yuanInput(a.fundingPerCommunityFen),
    fundingSource: a.fundingSource ?? '',
    supportOffered: a.supportOffered ?? '',
    contactName: a.contactName ?? '',
    contactPhone: a.contactPhone ?? '',
    regularizesItemId: a.regularizesItemId ?? '',
    reportFieldsText: a.reportFields.join('\n'),
    certificateName: a.certificateName ?? '',
    noticeWorkingDays: a.noticeWorkingDays == null ? '' : String(a.noticeWorkingDays),
  });
}

/**
 * The form as the API takes it: every field, an empty one as null (cleared). Problems the page finds before
 * sending (an amount that is not one) go into `localProblems` by field, and the answer is then null.
 */
export function bodyOf(
  form: FormValues,
  localProblems: Record<string, string>,
): Record<string, unknown> | null {
  for (const k of Object.keys(localProblems)) delete localProblems[k];
  const text = (v: string | null | undefined) => (v ?? '').trim() || null;
  let fen: number | null = null;
  if (text(form.fundingYuan) !== null) {
    const f = fenOf(form.fundingYuan);
    if (f === null)
      localProblems.fundingPerCommunityFen =
        '请按“元”填写金额，最多两位小数（如 3000 或 3000.50）；无经费填 0。';
    else fen = Number(f);
  }
  let hours: number | string | null = null;
  const typedHours = text(form.workloadHoursPerMonth);
  if (typedHours !== null) {
    const n = Number(typedHours);
    // Not a number: sent as typed, the API names the problem beside the field.
    hours = Number.isFinite(n) ? n : typedHours;
  }
  // A whole number goes as one; anything else as typed, and the API names the problem beside the field.
  const typedNotice = text(String(form.noticeWorkingDays ?? ''));
  const notice = typedNotice !== null && /^\d+$/.test(typedNotice) ? Number(typedNotice) : typedNotice;
  if (Object.keys(localProblems).length) return null;
  const reportFields = (form.reportFieldsText ?? '')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s);
  return {
    kind: text(form.kind),
    title: text(form.title),
    content: text(form.content),
    legalBasisDocument: text(form.legalBasisDocument),
    legalBasisArticle: text(form.legalBasisArticle),
    statutoryArea: text(form.statutoryArea),
    targetScope: text(form.targetScope),
    targetUnitId: form.targetScope === 'all' ? text(form.targetUnitId) : null,
    targetCommunityIds: form.targetScope === 'list' ? (form.targetCommunityIds ?? []) : [],
    authorizedContent: text(form.authorizedContent),
    targetPopulation: text(form.targetPopulation),
    powers: text(form.powers),
    startDate: text(form.startDate),
    endDate: text(form.endDate),
    workloadHoursPerMonth: hours,
    frequency: text(form.frequency),
    fundingPerCommunityFen: fen,
    fundingSource: text(form.fundingSource),
    supportOffered: text(form.supportOffered),
    contactName: text(form.contactName),
    contactPhone: text(form.contactPhone),
    regularizesItemId: text(form.regularizesItemId),
    reportFields,
    certificateName: text(form.certificateName),
    noticeWorkingDays: notice,
  };
}

/** The problems of `problems` (the API's) and `local` (the page's) about one field, joined. */
export function fieldErrorOf(problems: Problem[], local: Record<string, string>, field: string): string {
  // `targetCommunityIds.0` counts for the list.
  const own = problems
    .filter((p) => p.field === field || p.field?.startsWith(`${field}.`) || p.field?.startsWith(`${field}[`))
    .flatMap((p) => p.problems ?? (p.message ? [p.message] : []));
  if (local[field]) own.unshift(local[field]);
  return own.join('；');
}

/** What the application page shares with its parts (the form, the reference lists, errors, busy states). */
export interface ApplicationPageContext {
  application: Ref<Application | null>;
  form: FormValues;
  /** May the user change the application now (a draft or a returned one, with application:draft). */
  editable: ComputedRef<boolean>;
  returned: ComputedRef<boolean>;
  /** A save, submission or withdrawal is under way. */
  busy: Ref<boolean>;
  /** An upload is under way: saving and submitting wait for it. */
  uploading: Ref<boolean>;
  areas: Ref<StatutoryArea[]>;
  communities: Ref<Unit[]>;
  /** Districts and streets: the units whose communities an application may mean, and the streets' names. */
  areaUnits: Ref<Unit[]>;
  /** The API's and the page's problems about one field. */
  fieldError(field: string): string;
  /** The return's deficiencies about one field, while returned. */
  deficiencyOf(field: string): string;
  /** Shows a failed call's message (and its problems beside their fields). */
  showError(e: unknown): void;
  clearErrors(): void;
  /** Saves the draft (or the correction) quietly; answers whether it was saved. */
  saveQuietly(): Promise<boolean>;
  /** Reads the application again (a change refused because it moved on meanwhile), keeping unsaved typing. */
  refresh(): Promise<void>;
}

export const APPLICATION_PAGE: InjectionKey<ApplicationPageContext> = Symbol('application page');

/** The application page's shared state, in one of its parts. */
export function useApplicationPage(): ApplicationPageContext {
  const ctx = inject(APPLICATION_PAGE);
  if (!ctx) throw new Error('used outside the department’s application page');
  return ctx;
}
