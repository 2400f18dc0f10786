import { parentPort } from 'node:worker_threads';
import type { ErrorCode } from '../common/errors.js';
import { answerOf, type WorkerJob } from '../common/worker-thread.js';
import { ImportRefusal } from './stamp-import-limits.js';
import { readXlsx } from './xlsx-read.js';

/**
 * The worker thread that reads uploaded workbooks, one at a time (run by stamp-import-file.ts through
 * common/worker-thread.ts): for each, its rows, the refusal the checks gave (code and details, an AppError again in
 * the server), or how it failed.
 */
export interface XlsxJob {
  fileName: string;
  content: Uint8Array;
}
export type XlsxReply =
  | { rows: { line: number; cells: string[] }[] }
  | { refused: { code: ErrorCode; details: unknown; message?: string } }
  | { failed: string };

async function reply({ fileName, content }: XlsxJob): Promise<XlsxReply> {
  try {
    return {
      rows: await readXlsx(fileName, Buffer.from(content.buffer, content.byteOffset, content.byteLength)),
    };
  } catch (e) {
    return e instanceof ImportRefusal
      ? { refused: { code: e.code, details: e.details, message: e.said } }
      : { failed: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

// The reader writes what it finds odd to the console in full (a sheet name of 19 million characters, twice, with
// line breaks into the server's log): the thread's console says nothing; a failure comes back as its reply.
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[level] = () => {};

parentPort?.on('message', (job: WorkerJob<XlsxJob>) => {
  void reply(job.data).then((value) => parentPort!.postMessage(answerOf(job.id, value)));
});
