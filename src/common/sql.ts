/** TypeORM answers `UPDATE/INSERT … RETURNING` on PostgreSQL as [rows, count] or rows: take the rows. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** snake_case → camelCase of the column names seen so far (a fixed set: the columns of the queries). */
const camelNames = new Map<string, string>();
const CAMEL_NAMES_MAX = 4096;

/** A raw row's snake_case keys as camelCase, to build an entity from a hand-written query. */
export function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row)) {
    let name = camelNames.get(k);
    if (name === undefined) {
      name = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      if (camelNames.size < CAMEL_NAMES_MAX) camelNames.set(k, name);
    }
    out[name] = row[k];
  }
  return out;
}

/**
 * SQL to run as a named prepared statement: PostgreSQL parses it once per connection and, once it sees that
 * a generic plan serves, stops planning it at every call. For the fixed statements every request sends
 * (session check, task read, level lookup); pass the result to `query` in place of the text.
 * The name must stand for one text only.
 */
export function prepared(name: string, text: string): string {
  return { name, text, toString: () => text } as unknown as string;
}
