import type { DataSource, EntityManager } from 'typeorm';

/** Anything that runs SQL: the DataSource, or a transaction's manager. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;
type Executor = Queryable;

/**
 * Runs SQL and answers its rows, whatever the statement. (TypeORM's query() answers
 * `[rows, rowCount]` for UPDATE and DELETE, even with RETURNING, and bare rows otherwise.)
 * Inside a transaction, pass the transaction's manager: on PGlite the DataSource would wait
 * on the transaction itself.
 */
export async function queryRows<T = any>(db: Executor, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** Marks a statement that a background worker sends on its own, not a request (the tests' statement counter leaves it out). */
export const BACKGROUND = '/* background */';

/** The first row, or undefined. */
export async function queryOne<T = any>(db: Executor, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, sql, params))[0];
}

/** PostgreSQL's unique_violation (23505), as pg and PGlite report it through TypeORM. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return (e?.driverError?.code ?? e?.code) === '23505';
}
