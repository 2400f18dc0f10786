import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { nextDay } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AuditRecord } from './audit-record.entity.js';
import { sealKeyId, sealMac, shanghaiDay } from './audit-sealer.service.js';
import { AuditSeal } from './audit-seal.entity.js';
import { decisionHash, GENESIS_HASH, recordHash } from './audit.service.js';

/**
 * GET /audit/verify: recomputes the chain that AuditService appends to (deleted and added records named),
 * checks the decisions stored with tasks and in the case history against their audit records, and the daily seals.
 */
@Injectable()
export class AuditVerifier {
  /** `clock`: the application's (injected); tools and tests outside the application get a clock of their own. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock = new Clock(),
  ) {}

  /**
   * Recomputes the whole chain and answers where it first breaks, if anywhere, naming a deleted record by its
   * seq; checks the decisions stored in tasks and history against their audit records; and, given the seal
   * key, checks each day's seal (a rewrite whose hashes were all recomputed no longer matches it).
   */
  async verify(
    seal: { key: string | null; now: Date } = { key: null, now: this.clock.now() },
  ): Promise<AuditVerification> {
    const problems: AuditProblem[] = [];
    const chain = await this.verifyChain(problems);
    await this.verifyDecisions(problems);
    const sealing = seal.key ? await this.verifySeals(seal.key, seal.now, problems) : 'off';
    return {
      intact: problems.length === 0,
      checked: chain.checked,
      firstBrokenSeq: chain.firstBrokenSeq,
      sealing,
      problems,
    };
  }

  private async verifyChain(
    problems: AuditProblem[],
  ): Promise<{ checked: number; firstBrokenSeq: string | null }> {
    let prev = GENESIS_HASH;
    /** The hash before `prev`: a record that follows it skipped the one before it (put in behind the chain). */
    let before: string | null = null;
    let checked = 0;
    let after = '0';
    const broken = (p: AuditProblem) => {
      problems.push(p);
      return { checked, firstBrokenSeq: p.seq ?? null };
    };
    for (;;) {
      const batch = await this.dataSource
        .getRepository(AuditRecord)
        .createQueryBuilder('a')
        .where('a.seq > :after', { after })
        .orderBy('a.seq', 'ASC')
        .take(1000)
        .getMany();
      if (batch.length === 0) {
        // The head row must stand at the last record (a record added behind its back would not), unless
        // records were committed since the last batch was read: then those are checked first.
        const head: { hash: string; prev_hash: string }[] = await this.dataSource.query(
          'SELECT hash, prev_hash FROM audit_head WHERE id = 1',
        );
        if (head[0]?.hash === prev) return { checked, firstBrokenSeq: null };
        const more: { n: number }[] = await this.dataSource.query(
          'SELECT count(*)::int AS n FROM audit_record WHERE seq > $1',
          [after],
        );
        if (more[0].n > 0) continue;
        if (!head[0]) return broken({ kind: 'head-missing', seq: null, message: MESSAGES.headMissing() });
        if (head[0].prev_hash === prev) {
          // The head stands one record further: the newest record was deleted.
          const seq = (BigInt(after) + 1n).toString();
          return broken({ kind: 'record-deleted', seq, message: MESSAGES.deleted(seq) });
        }
        return broken({
          kind: 'record-added',
          seq: after === '0' ? null : after,
          message: MESSAGES.added(after),
        });
      }
      for (const r of batch) {
        if (r.prevHash !== prev) {
          // The record itself is whole but follows another: the record before it was put in behind the chain
          // (this one follows the one before that), or the records between were deleted (a gap in seq names
          // them).
          const whole = recordHash(r.prevHash, r) === r.hash;
          if (whole && r.prevHash === before)
            return broken({ kind: 'record-added', seq: after, message: MESSAGES.added(after) });
          const gap = BigInt(r.seq) - BigInt(after) > 1n;
          if (whole && gap) {
            const seq = (BigInt(after) + 1n).toString();
            const last = (BigInt(r.seq) - 1n).toString();
            return broken({ kind: 'record-deleted', seq, toSeq: last, message: MESSAGES.deleted(seq, last) });
          }
          return broken({ kind: 'record-altered', seq: r.seq, message: MESSAGES.altered(r.seq) });
        }
        if (recordHash(prev, r) !== r.hash) {
          return broken({ kind: 'record-altered', seq: r.seq, message: MESSAGES.altered(r.seq) });
        }
        before = prev;
        prev = r.hash;
        checked++;
        after = r.seq;
      }
    }
  }

  /**
   * Each decision stored with a task (workflow_task) and in the case history (workflow_history) must be the one
   * its audit record names, with the same form data and comment (their hash). Checked for tasks whose
   * decisions have audit records that name them, and for every task completed since the first such record.
   */
  private async verifyDecisions(problems: AuditProblem[]): Promise<void> {
    const records: { seq: string; task_id: string; decision: string; form_hash: string; at: Date }[] =
      await this.dataSource.query(
        `SELECT seq, coalesce(data->>'taskId', entity_id) AS task_id, data->>'decision' AS decision,
                data->>'formHash' AS form_hash, at
           FROM audit_record WHERE data ? 'formHash' ORDER BY seq`,
      );
    if (!records.length) return;
    const byTask = new Map<string, typeof records>();
    for (const r of records) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r]);
    const since = records[0].at;
    const tasks: {
      id: string;
      status: string;
      decision: string | null;
      form_data: unknown;
      comment: string | null;
    }[] = await this.dataSource.query(
      `SELECT id, status, decision, form_data, comment FROM workflow_task
        WHERE id::text = ANY($1::text[]) OR (status = 'completed' AND decision IS NOT NULL AND completed_at >= $2)
        ORDER BY id`,
      [[...byTask.keys()], since],
    );
    const history: { seq: string; task_id: string; decision: string | null }[] = await this.dataSource.query(
      `SELECT seq, task_id, data->>'decision' AS decision FROM workflow_history
        WHERE task_id::text = ANY($1::text[]) AND action IN ('task.completed', 'task.returned', 'task.signed')
        ORDER BY seq`,
      [tasks.map((t) => t.id)],
    );
    const historyOf = new Map<string, typeof history>();
    for (const h of history) historyOf.set(h.task_id, [...(historyOf.get(h.task_id) ?? []), h]);
    for (const t of tasks) {
      const recorded = byTask.get(t.id) ?? [];
      const last = recorded[recorded.length - 1];
      if (t.status === 'completed' && t.decision !== null) {
        if (!last) {
          problems.push({
            kind: 'decision-unrecorded',
            seq: null,
            taskId: t.id,
            message: MESSAGES.unrecorded(t.id),
          });
        } else if (t.decision !== last.decision) {
          problems.push({
            kind: 'task-decision-mismatch',
            seq: last.seq,
            taskId: t.id,
            stored: t.decision,
            recorded: last.decision,
            message: MESSAGES.taskMismatch(t.id, t.decision, last.seq, last.decision),
          });
        } else if (decisionHash(t.form_data, t.comment) !== last.form_hash) {
          problems.push({
            kind: 'task-form-mismatch',
            seq: last.seq,
            taskId: t.id,
            message: MESSAGES.formMismatch(t.id, last.seq),
          });
        }
      }
      // The task's decisions in its history, in order, are those of its audit records.
      if (!recorded.length) continue;
      const rows = historyOf.get(t.id) ?? [];
      for (let i = 0; i < Math.max(rows.length, recorded.length); i++) {
        const h = rows[i];
        const r = recorded[i];
        if (h && r && h.decision === r.decision) continue;
        problems.push({
          kind: !h
            ? 'history-decision-missing'
            : !r
              ? 'history-decision-unrecorded'
              : 'history-decision-mismatch',
          seq: r?.seq ?? null,
          taskId: t.id,
          historySeq: h?.seq ?? null,
          stored: h?.decision ?? null,
          recorded: r?.decision ?? null,
          message: MESSAGES.historyMismatch(
            t.id,
            h?.seq ?? null,
            h?.decision ?? null,
            r?.seq ?? null,
            r?.decision ?? null,
          ),
        });
        break;
      }
    }
  }

  /**
   * Each seal must carry a valid HMAC of the configured key and stand at a record whose hash is the sealed one;
   * every finished day from the first record's day to the day before yesterday must be sealed (yesterday's seal
   * may still be on its way).
   */
  private async verifySeals(key: string, now: Date, problems: AuditProblem[]): Promise<'on'> {
    const seals: AuditSeal[] = await this.dataSource.getRepository(AuditSeal).find({ order: { day: 'ASC' } });
    const keyId = sealKeyId(key);
    const hashes = new Map<string, string>(
      (
        (await this.dataSource.query('SELECT seq, hash FROM audit_record WHERE seq = ANY($1::bigint[])', [
          seals.map((s) => s.upToSeq),
        ])) as { seq: string; hash: string }[]
      ).map((r) => [r.seq, r.hash]),
    );
    hashes.set('0', GENESIS_HASH);
    for (const s of seals) {
      if (s.keyId !== keyId) {
        problems.push({
          kind: 'seal-other-key',
          seq: s.upToSeq,
          day: s.day,
          message: MESSAGES.otherKey(s.day),
        });
      } else if (sealMac(key, s) !== s.mac) {
        problems.push({ kind: 'seal-forged', seq: s.upToSeq, day: s.day, message: MESSAGES.forged(s.day) });
      } else if (hashes.get(s.upToSeq) !== s.hash) {
        problems.push({
          kind: 'seal-mismatch',
          seq: s.upToSeq,
          day: s.day,
          message: MESSAGES.sealMismatch(s.day, s.upToSeq),
        });
      }
    }
    const first: { at: Date | null }[] = await this.dataSource.query(
      'SELECT min(at) AS at FROM audit_record',
    );
    if (first[0].at) {
      const sealed = new Set(seals.map((s) => s.day));
      // Every day that ended (Asia/Shanghai) more than an hour ago must have its seal by now.
      const due = shanghaiDay(new Date(now.getTime() - 3_600_000));
      const missing: string[] = [];
      for (let d = shanghaiDay(new Date(first[0].at)); d < due;) {
        if (!sealed.has(d)) missing.push(d);
        d = nextDay(d);
      }
      if (missing.length)
        problems.push({
          kind: 'seal-missing',
          seq: null,
          day: missing[0],
          days: missing.slice(0, 100),
          message: MESSAGES.sealMissing(missing[0], missing.length),
        });
    }
    return 'on';
  }
}

/** One finding of GET /audit/verify. */
export interface AuditProblem {
  kind:
    | 'record-altered'
    | 'record-deleted'
    | 'record-added'
    | 'head-missing'
    | 'task-decision-mismatch'
    | 'task-form-mismatch'
    | 'decision-unrecorded'
    | 'history-decision-mismatch'
    | 'history-decision-missing'
    | 'history-decision-unrecorded'
    | 'seal-missing'
    | 'seal-mismatch'
    | 'seal-forged'
    | 'seal-other-key';
  /** The audit record concerned (a deleted one: the first deleted). */
  seq: string | null;
  /** The last record of a deleted run. */
  toSeq?: string;
  taskId?: string;
  /** The workflow_history row concerned. */
  historySeq?: string | null;
  /** The decision stored in the task or history row, and the one the audit record names. */
  stored?: string | null;
  recorded?: string | null;
  /** The Asia/Shanghai day of a seal. */
  day?: string;
  days?: string[];
  message: string;
}

export interface AuditVerification {
  intact: boolean;
  checked: number;
  firstBrokenSeq: string | null;
  /** 'off': no seal key is configured (AUDIT_SEAL_KEY), seals were not checked. */
  sealing: 'on' | 'off';
  problems: AuditProblem[];
}

/** What verify says, in Chinese and English, for the auditor. */
const MESSAGES = {
  headMissing: () => '审计链首行缺失。The head row of the audit chain (audit_head) is missing.',
  deleted: (seq: string, last?: string) =>
    last && last !== seq
      ? `审计记录 ${seq}–${last} 已被删除。Audit records ${seq} to ${last} were deleted.`
      : `审计记录 ${seq} 已被删除。Audit record ${seq} was deleted.`,
  added: (seq: string) =>
    `审计记录 ${seq} 未经链首写入（链后插入）。Audit record ${seq} was added behind the chain's head.`,
  altered: (seq: string) => `审计记录 ${seq} 已被改动。Audit record ${seq} was altered.`,
  unrecorded: (taskId: string) =>
    `任务 ${taskId} 的决定没有审计记录。The decision of task ${taskId} has no audit record.`,
  taskMismatch: (taskId: string, stored: string, seq: string, recorded: string) =>
    `任务 ${taskId} 存储的决定为 ${stored}，审计记录 ${seq} 记为 ${recorded}。Task ${taskId} stores the decision ${stored}; audit record ${seq} says ${recorded}.`,
  formMismatch: (taskId: string, seq: string) =>
    `任务 ${taskId} 的表单或意见与审计记录 ${seq} 不符。The form data or comment of task ${taskId} differ from audit record ${seq}.`,
  historyMismatch: (
    taskId: string,
    historySeq: string | null,
    stored: string | null,
    seq: string | null,
    recorded: string | null,
  ) =>
    `任务 ${taskId} 的流转记录 ${historySeq ?? '（缺失 missing）'} 决定为 ${stored ?? '-'}，审计记录 ${seq ?? '（缺失 missing）'} 记为 ${recorded ?? '-'}。` +
    `History row ${historySeq ?? '(missing)'} of task ${taskId} says ${stored ?? '-'}; audit record ${seq ?? '(missing)'} says ${recorded ?? '-'}.`,
  otherKey: (day: string) =>
    `${day} 的封存由另一密钥生成，无法核验。The seal of ${day} was made with another key and cannot be checked.`,
  forged: (day: string) =>
    `${day} 的封存签名无效（伪造或被改动）。The seal of ${day} has an invalid HMAC (forged or altered).`,
  sealMismatch: (day: string, seq: string) =>
    `${day} 封存时的链首（审计记录 ${seq}）已被改写。The chain head sealed for ${day} (audit record ${seq}) was rewritten.`,
  sealMissing: (day: string, n: number) =>
    `自 ${day} 起有 ${n} 天未封存或封存被删除。${n} finished day(s) from ${day} have no seal (never sealed or deleted).`,
};
