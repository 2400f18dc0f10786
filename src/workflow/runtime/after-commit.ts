import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

interface Pending {
  committed: () => void;
  rolledBack: () => void;
}

/**
 * Work that may run only once a caller's transaction has committed (e.g. keeping the live engine of a case
 * started inside it): run after its COMMIT, dropped when it rolls back (a savepoint's rollback drops it too —
 * dropping is always safe). Listens to TypeORM's transaction events of every query runner.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface {
  private readonly logger = new Logger('AfterCommit');
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Runs `committed` after the transaction of `m` commits (at once outside a transaction), else `rolledBack`. */
  defer(m: EntityManager, committed: () => void, rolledBack: () => void): void {
    const runner = m.queryRunner;
    if (!runner?.isTransactionActive) return committed();
    const list = this.pending.get(runner) ?? [];
    list.push({ committed, rolledBack });
    this.pending.set(runner, list);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A savepoint released: the transaction may still roll back.
    if (event.queryRunner.isTransactionActive) return;
    const list = this.pending.get(event.queryRunner);
    this.pending.delete(event.queryRunner);
    // The transaction has committed whatever these do: one that fails must neither make the commit look failed
    // to its caller nor keep the next ones (or other listeners of the commit) from running.
    for (const p of list ?? []) this.safely(() => p.committed(), 'after a commit');
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const list = this.pending.get(event.queryRunner);
    this.pending.delete(event.queryRunner);
    for (const p of list ?? []) this.safely(() => p.rolledBack(), 'after a rollback');
  }

  private safely(work: () => void, when: string): void {
    try {
      work();
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, `work ${when} failed`);
    }
  }
}
