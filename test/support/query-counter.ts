import type { DataSource, Logger } from 'typeorm';

/**
 * Counts the SQL statements a DataSource runs (every statement, in or out of a transaction,
 * passes TypeORM's logger.logQuery, whatever the logging option says). Wraps the logger in
 * place; `stop()` puts the original back. The service's background workers (the mail outbox,
 * the job feed, statements marked with the SQL comment `background`) share the DataSource:
 * statements matching `ignore` are not counted.
 *
 *   const counter = countQueries(server.db);
 *   const n = await counter.during(() => server.gql(...));
 */
export const BACKGROUND_STATEMENTS = /\boutbox_mail\b|\bjob_events\b|\bLISTEN\b|\bpg_notify\b|\/\* background \*\//i;

export interface QueryCounter {
  readonly count: number;
  readonly statements: readonly string[];
  reset(): void;
  /** Resets, runs `work`, and answers how many statements it ran. */
  during(work: () => Promise<unknown>): Promise<number>;
  stop(): void;
}

export function countQueries(dataSource: DataSource, options: { ignore?: RegExp | null } = {}): QueryCounter {
  const ignore = options.ignore === undefined ? BACKGROUND_STATEMENTS : options.ignore;
  const holder = dataSource as unknown as { logger: Logger };
  const original = holder.logger;
  let statements: string[] = [];
  holder.logger = new Proxy(original, {
    get(target, property, receiver) {
      if (property === 'logQuery') {
        return (query: string, parameters?: unknown[], queryRunner?: unknown) => {
          if (!ignore || !ignore.test(query)) statements.push(query);
          return target.logQuery(query, parameters, queryRunner as never);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
  return {
    get count() {
      return statements.length;
    },
    get statements() {
      return statements;
    },
    reset() {
      statements = [];
    },
    async during(work) {
      statements = [];
      await work();
      return statements.length;
    },
    stop() {
      holder.logger = original;
    },
  };
}
