import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  InsertEvent,
  QueryRunner,
  RemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  UpdateEvent,
} from 'typeorm';

/**
 * This process's own writes to some tables, reported when they are committed: for a memory that must not answer
 * from what this process has just changed, without waiting for the database's announcement (NOTIFY, see
 * ChangeListener) to come back. TypeORM's entity events (insert, update, remove through a repository, an entity
 * manager or a query builder) are heard by themselves; a hand-written statement is reported with `wrote(m)`.
 * A write outside a transaction is reported at once; one inside at the transaction's commit (not at a released
 * savepoint), and forgotten at its rollback. A table watched for some of its properties only is heard when an
 * update sets one of them (or what it sets is not known) and when rows are removed, not when rows are inserted.
 */
export class OwnCommits implements EntitySubscriberInterface<unknown> {
  private readonly pending = new WeakSet<QueryRunner>();

  constructor(
    private readonly dataSource: DataSource,
    /** Table → the entity properties whose change matters, or 'any'. */
    private readonly tables: ReadonlyMap<string, readonly string[] | 'any'>,
    private readonly committed: () => void,
  ) {
    dataSource.subscribers.push(this);
  }

  /** Stops hearing the data source's events. */
  detach(): void {
    const i = this.dataSource.subscribers.indexOf(this);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }

  /** A hand-written statement on this manager wrote one of the tables. */
  wrote(m: EntityManager): void {
    if (m.queryRunner) this.heard(m.queryRunner);
    else this.committed();
  }

  private touched(event: { queryRunner: QueryRunner; metadata: { tableName: string } }): void {
    if (!this.tables.has(event.metadata.tableName)) return;
    this.heard(event.queryRunner);
  }

  private heard(runner: QueryRunner): void {
    if (runner.isTransactionActive) this.pending.add(runner);
    else this.committed();
  }

  afterInsert(event: InsertEvent<unknown>): void {
    // A table watched for some properties: a new row changes none of the rows that were read.
    if (this.tables.get(event.metadata.tableName) === 'any') this.touched(event);
  }

  afterUpdate(event: UpdateEvent<unknown>): void {
    const watched = this.tables.get(event.metadata.tableName);
    if (!watched) return;
    if (watched !== 'any') {
      // save(): the columns and relations (their join columns) it changed; a query builder's update (and the
      // manager's): the values it sets.
      const set =
        event.updatedColumns.length || event.updatedRelations.length
          ? [
              ...event.updatedColumns.map((c) => c.propertyName),
              ...event.updatedRelations.flatMap((r) => [
                r.propertyName,
                ...r.joinColumns.map((c) => c.propertyName),
              ]),
            ]
          : event.entity && typeof event.entity === 'object'
            ? Object.keys(event.entity)
            : null;
      if (set && !set.some((property) => watched.includes(property))) return;
    }
    this.heard(event.queryRunner);
  }

  afterRemove(event: RemoveEvent<unknown>): void {
    this.touched(event);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A savepoint released: the transaction may still roll back.
    if (event.queryRunner.isTransactionActive || !this.pending.has(event.queryRunner)) return;
    this.pending.delete(event.queryRunner);
    this.committed();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }
}
