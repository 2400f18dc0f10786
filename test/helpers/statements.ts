import pg from 'pg';

/**
 * The statements the service sends PostgreSQL while `fn` runs (first three words of each; the job queue's own
 * statements left out, not a step's that inserts timers with their jobs), for tests that check how much work a
 * request does.
 */
export async function captureStatements<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; statements: string[]; names: (string | null)[] }> {
  const statements: string[] = [];
  /** The name each statement was sent under (a prepared statement, see common/sql.ts `prepared`), else null. */
  const names: (string | null)[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
    if (text && !(/pgboss/.test(text) && !/workflow_/.test(text))) {
      statements.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
      names.push(typeof args[0] === 'object' ? ((args[0] as { name?: string })?.name ?? null) : null);
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), statements, names };
  } finally {
    pg.Client.prototype.query = original;
  }
}
