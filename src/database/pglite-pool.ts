import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A pg-compatible pool over one PGlite instance, for TypeORM's postgres driver.
 *
 * PGlite is ONE database session: if two query runners shared it at once, their transactions
 * would interleave and one's ROLLBACK could undo the other's work. So this pool hands out a
 * single client at a time; connect() waits until the previous holder releases it.
 * (typeorm-pglite shares the session without this guard and keeps one instance per process.)
 */
export class PGlitePool extends EventEmitter {
  private readonly db: PGlite;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(options: { pglite: PGlite }) {
    super();
    this.db = options.pglite;
  }

  connect(callback: (err: unknown, client: PGliteClient | null, release: (err?: unknown) => void) => void): void {
    const grant = () => {
      this.busy = true;
      let released = false;
      const client = new PGliteClient(this.db);
      callback(null, client, () => {
        if (released) return;
        released = true;
        this.releaseSession();
      });
    };
    if (this.busy) this.waiting.push(grant);
    else grant();
  }

  private releaseSession(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /** Direct pool.query: takes the session like any client does. */
  query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    return new Promise((resolve, reject) => {
      this.connect((_err, client, release) => {
        client!.query(sql, params).then(
          (r) => (release(), resolve(r)),
          (e) => (release(), reject(e)),
        );
      });
    });
  }

  end(callback?: (err?: unknown) => void): void {
    // The PGlite instance belongs to whoever created it; they close it.
    callback?.();
  }
}

export interface PgLikeResult {
  rows: any[];
  rowCount: number;
  command: string;
}

class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    if (params && params.length > 0) {
      const r = await this.db.query<any>(sql, params as any[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(sql) };
    }
    // Parameterless strings may hold several statements (migrations); the last result counts.
    const results = await this.db.exec(sql);
    const last = results[results.length - 1];
    return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0, command: commandOf(sql) };
  }
}

function commandOf(sql: string): string {
  return (/^\s*(\w+)/.exec(sql)?.[1] ?? '').toUpperCase();
}

/** The driver module TypeORM expects in place of `pg`. */
export const pgliteDriverModule = { Pool: PGlitePool };
