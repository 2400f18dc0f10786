import { Logger } from '@nestjs/common';
import pg from 'pg';

/** How long the service waits on its database; see the DB_*_TIMEOUT_MS variables. */
export interface DbTimeouts {
  /** A new connection, or a free one from the pool. */
  connectMs: number;
  /** A statement on the server (statement_timeout). */
  statementMs: number;
  /** Any answer at all, measured by the service (a stopped server or a dead network answers nothing). */
  queryMs: number;
  /** A transaction left idle while holding locks (idle_in_transaction_session_timeout). */
  idleInTransactionMs: number;
}

export function timeoutsOf(env: {
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_QUERY_TIMEOUT_MS: number;
  DB_IDLE_TX_TIMEOUT_MS: number;
}): DbTimeouts {
  return {
    connectMs: env.DB_CONNECT_TIMEOUT_MS,
    statementMs: env.DB_STATEMENT_TIMEOUT_MS,
    queryMs: env.DB_QUERY_TIMEOUT_MS,
    idleInTransactionMs: env.DB_IDLE_TX_TIMEOUT_MS,
  };
}

const logger = new Logger('Database');

/**
 * A node-postgres client that is never without a listener for 'error'. The pool listens only while a
 * client is idle in it; a connection that breaks while checked out and between queries emits an 'error'
 * that, unheard, would end the process. The failure still reaches whoever uses the client: its next
 * query fails and the pool discards it.
 */
export class GuardedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (e: Error) => logger.warn(`a database connection failed: ${e.message}`));
  }

  /**
   * A query given up on (query_timeout) is still running on its connection, maybe inside a transaction
   * whose ROLLBACK was given up on too: such a connection must not serve anyone else. It is cut, so the
   * pool discards it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[0]?.submit === 'function') return super.query(args[0], args[1], args[2]);
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: Error | undefined, res: unknown) => void;
      args[last] = (err: Error | undefined, res: unknown) => {
        if (err) this.cutIfGivenUp(err);
        callback(err, res);
      };
      return super.query(args[0], args[1], args[2]);
    }
    const result = super.query(args[0], args[1]) as Promise<unknown>;
    result.catch((e: Error) => this.cutIfGivenUp(e));
    return result;
  }

  private cutIfGivenUp(e: Error): void {
    if (e?.message !== 'Query read timeout') return;
    logger.warn('the database gave no answer in time: dropping the connection');
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

/**
 * Options for a node-postgres pool (TypeORM's `extra`, pg-boss): every client guarded, and, when timeouts
 * are given, a bound on every wait — for a connection (new or from the pool), for an answer, for a
 * statement and for an idle transaction — so that a database that stops answering costs a 503, not a
 * request hanging for good.
 */
export function pgPoolOptions(timeouts?: DbTimeouts): Record<string, unknown> {
  return {
    Client: GuardedClient,
    keepAlive: true,
    ...(timeouts
      ? {
          connectionTimeoutMillis: timeouts.connectMs,
          query_timeout: timeouts.queryMs,
          statement_timeout: timeouts.statementMs,
          idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
        }
      : {}),
  };
}
