/** What the department's pages share: the application as the API answers it, amounts, problems, files. */
import { ApiError } from '../../api';
import type { Router } from 'vue-router';
import { session, signOut } from '../../session';

/** `GET /applications/:id` (ApplicationDto on the server). */
export interface Application {
  id: string;
  applicantUnitId: string;
  status: string;
  instanceId: string | null;
  kind: string | null;
  title: string | null;
  content: string | null;
  legalBasisDocument: string | null;
  legalBasisArticle: string | null;
  statutoryArea: string | null;
  targetScope: 'all' | 'list' | null;
  targetUnitId: string | null;
  targetCommunityIds: string[];
  authorizedContent: string | null;
  targetPopulation: string | null;
  powers: string | null;
  startDate: string | null;
  endDate: string | null;
  workloadHoursPerMonth: string | null;
  frequency: string | null;
  fundingPerCommunityFen: string | null;
  fundingSource: string | null;
  supportOffered: string | null;
  contactName: string | null;
  contactPhone: string | null;
  reportFields: string[];
  certificateName?: string | null;
  /** 派单提前期 in working days (1–30); null: the default of 3. */
  noticeWorkingDays?: number | null;
  regularizesItemId: string | null;
  admittedItem: { id: string; admissionNumber: string } | null;
  findings: {
    code: string;
    check: string;
    result: string;
    message: string;
    override?: { displayName: string; unitName: string; reason: string };
  }[];
  changesSinceSubmission: Record<string, { before: unknown; after: unknown }> | null;
  pendingChanges?: Record<string, { before: unknown; after: unknown }> | null;
  decisionReason: string | null;
  submittedAt: string | null;
  deficiencies: { field?: string; problem: string }[];
  returnedStep: string | null;
  returnedAt: string | null;
  terminatedAt: string | null;
  /** When the department withdrew it (撤回申请), and why. */
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** `GET /applications/:id/attachments` rows (AttachmentDto). */
export interface Attachment {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
}

export const STATUS_TAGS: Record<string, 'info' | 'primary' | 'warning' | 'success' | 'danger'> = {
  draft: 'info',
  in_review: 'primary',
  returned: 'warning',
  rejected: 'danger',
  awaiting_funding: 'primary',
  admitted: 'success',
  withdrawn: 'info',
  terminated: 'danger',
};

/** The review step that returned an application. */
export const RETURNED_STEP_NAMES: Record<string, string> = {
  completeness: '完整性审查',
  scopeReview: '范围审查',
  countersign: '成员单位会签',
  leaderSign: '主要领导签批',
};

export const SCOPE_NAMES: Record<string, string> = { all: '所辖全部社区', list: '指定社区' };

/** The id in the address of an application not yet saved: `my-applications/new`. */
export const NEW_ID = 'new';

/** Statuses in which the department may still change its application. */
export const EDITABLE = ['draft', 'returned'];

/** Statuses in which the department may withdraw its application (撤回申请): submitted, not yet decided. */
export const WITHDRAWABLE = ['in_review', 'returned'];

/** Full-width digits, point, comma and space (typed with a Chinese input method) as their ASCII selves. */
function halfWidth(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[，]/g, ',')
    .replace(/\u3000/g, ' ');
}

/**
 * An amount typed in yuan (元, at most two decimals, commas only as thousands separators: 3,000.50) as whole fen,
 * exact (no floating point); null for something that is not an amount. Full-width digits count as digits.
 */
export function fenOf(yuanText: string | null | undefined): string | null {
  const m = /^\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(halfWidth(yuanText ?? ''));
  if (!m) return null;
  const whole = m[1].replace(/,/g, '');
  if (whole.length > 12) return null;
  const fen = BigInt(whole) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0');
  return fen.toString();
}

/** Whole fen as the yuan a clerk types (no thousands separators): 300000 → "3000.00", -150 → "-1.50". */
export function yuanInput(fen: string | number | null | undefined): string {
  if (fen === null || fen === undefined || fen === '') return '';
  let n = BigInt(fen);
  const sign = n < 0n ? '-' : '';
  if (n < 0n) n = -n;
  return `${sign}${n / 100n}.${(n % 100n).toString().padStart(2, '0')}`;
}

/** A problem of a request as the API lists it in `details`. */
export interface Problem {
  field?: string;
  problems?: string[];
  message?: string;
}

/** The problems of an API error's details (400 VALIDATION_FAILED, APPLICATION_INCOMPLETE…), if it lists any. */
export function problemsOf(e: unknown): Problem[] {
  return e instanceof ApiError && Array.isArray(e.details)
    ? (e.details as Problem[]).filter((p) => p && typeof p === 'object')
    : [];
}

/** A file's size for people: 12.3 KB. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const OFFLINE = '网络连接失败，请检查网络后重试。';
const UPLOAD_ABORTED =
  '上传已中断，附件未保存，请重新上传。The upload was interrupted; upload the file again.';
const UPLOAD_TIMED_OUT =
  '上传超时，附件未保存，请检查网络后重新上传。The upload took too long; check the network and upload the file again.';
/** An upload (at most 5 MB, as base64) that has not finished in five minutes will not. */
const UPLOAD_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The API's error from a response `api` did not read (an upload, a file): as `api` makes it. api.ts exports
 * neither its parsing nor its 401 handler, hence this one place for both requests below.
 */
function errorOf(status: number, text: string): ApiError {
  let e: { code?: string; message?: string; details?: unknown } | undefined;
  try {
    e = (JSON.parse(text) as { error?: typeof e })?.error;
  } catch {
    e = undefined;
  }
  return new ApiError(
    status,
    e?.code ?? `HTTP_${status}`,
    e?.message ??
      `服务暂时无法处理请求（${status}），请稍后重试。The service could not answer (${status}); try again later.`,
    e?.details,
  );
}

/**
 * Sends a JSON body with the session's token, reporting the upload's progress (0–100): `fetch` cannot tell how
 * much of a request is sent, XMLHttpRequest can. Throws ApiError as `api` does; on 401 calls `onUnauthorized`.
 */
export function postWithProgress<T>(
  path: string,
  body: unknown,
  onProgress: (percent: number) => void,
  onUnauthorized: (message: string) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('Accept', 'application/json');
    const token = session.token;
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) onProgress(Math.round((ev.loaded / ev.total) * 100));
    };
    // However the request ends without an answer, the promise settles: the bar never spins on.
    xhr.timeout = UPLOAD_TIMEOUT_MS;
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', OFFLINE));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', UPLOAD_ABORTED));
    xhr.ontimeout = () => reject(new ApiError(0, 'TIMEOUT', UPLOAD_TIMED_OUT));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          resolve(null as T);
        }
        return;
      }
      const error = errorOf(xhr.status, xhr.responseText);
      if (xhr.status === 401 && token) {
        signOut();
        onUnauthorized(error.message);
      }
      reject(error);
    };
    xhr.send(JSON.stringify(body));
  });
}

/**
 * GETs a file with the session's token (a link cannot carry it) and answers it as a Blob; errors as ApiError,
 * 401 to `onUnauthorized`.
 */
export async function fetchBlob(path: string, onUnauthorized: (message: string) => void): Promise<Blob> {
  const token = session.token;
  let res: Response;
  try {
    res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError(0, 'NETWORK', OFFLINE);
  }
  if (!res.ok) {
    const error = errorOf(res.status, await res.text());
    if (res.status === 401 && token) {
      signOut();
      onUnauthorized(error.message);
    }
    throw error;
  }
  return res.blob();
}

/** A file's content as base64 (what the attachment route takes), read with progress. */
export function readBase64(file: File, onProgress: (percent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (ev) => {
      if (ev.lengthComputable) onProgress(Math.round((ev.loaded / ev.total) * 100));
    };
    reader.onerror = () => reject(new Error('无法读取该文件，请重新选择。'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** What to do when the API refuses the session on a request `api` did not send: back to login, then back here. */
export function toLoginFrom(router: Router): (message: string) => void {
  return (message) => {
    const here = router.currentRoute.value;
    session.notice = message;
    void router.push({ name: 'login', query: { redirect: here.fullPath } });
  };
}
