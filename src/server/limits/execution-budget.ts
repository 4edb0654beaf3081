import { execute, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../errors';

/** Which hard stop ended the work: `extensions.limit` of the answer. */
export type StopReason = 'timeout' | 'responseBytes';

/**
 * The hard stop of one operation: once stopped (its time is up, or its answer passed the byte
 * budget), no resolver runs and no SQL is sent for it any more; the operation answers
 * QUERY_TOO_COMPLEX. Bytes are counted per root value: per operation, and per event of a
 * subscription (the job feed runs each event with its row as root, in a shared context).
 */
export class ExecutionBudget {
  private reason: StopReason | undefined;
  private bytes = 0;
  private readonly perRoot = new WeakMap<object, number>();
  private readonly stoppedRoots = new WeakSet<object>();
  private timer: NodeJS.Timeout | undefined;
  private countsBytes = true;

  constructor(readonly limits: { maxResponseBytes: number; requestTimeoutMs: number }, options: { timeout?: boolean } = {}) {
    if (options.timeout) {
      this.timer = setTimeout(() => this.stop('timeout'), limits.requestTimeoutMs);
      this.timer.unref();
    }
  }

  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.dispose();
  }

  /** Whether the event (or operation) of this root value was stopped. */
  stoppedFor(root: unknown): StopReason | undefined {
    if (this.reason) return this.reason;
    return typeof root === 'object' && root !== null && this.stoppedRoots.has(root) ? 'responseBytes' : undefined;
  }

  /** Throws the stop's error once stopped: called before every resolver and every SQL statement. */
  check(root?: unknown): void {
    const reason = this.stoppedFor(root);
    if (reason) throw stopError(reason, this.limits);
  }

  /**
   * A mutation's answer is not stopped for its size: its change is made (and committed) before
   * its answer is read, and an error would tell the client it was not. The cost limit bounds it.
   */
  forMutation(): void {
    this.countsBytes = false;
  }

  /** The client went away: nobody waits for a query's answer (a mutation is let finish, all or nothing as ever). */
  abandoned(): void {
    if (this.countsBytes) this.stop('timeout');
  }

  /** Counts bytes of the answer; past the budget, its operation (or event) stops. */
  add(root: unknown, bytes: number): void {
    if (!this.countsBytes) return;
    if (typeof root === 'object' && root !== null) {
      const total = (this.perRoot.get(root) ?? 0) + bytes;
      this.perRoot.set(root, total);
      if (total > this.limits.maxResponseBytes) this.stoppedRoots.add(root);
      return;
    }
    this.bytes += bytes;
    if (this.bytes > this.limits.maxResponseBytes) this.stop('responseBytes');
  }

  /** The answer of a stopped operation: the stop's error alone; undefined when it was not stopped. */
  result(root?: unknown): { errors: AppError[] } | undefined {
    const reason = this.stoppedFor(root);
    return reason ? { errors: [stopError(reason, this.limits)] } : undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export function stopError(reason: StopReason, limits: { maxResponseBytes: number; requestTimeoutMs: number }): AppError {
  return reason === 'timeout'
    ? new AppError('QUERY_TOO_COMPLEX', `The operation took longer than ${limits.requestTimeoutMs} ms and was stopped`, {
        limit: 'timeout',
        max: limits.requestTimeoutMs,
        http: { status: 503 },
      })
    : new AppError('QUERY_TOO_COMPLEX', `The answer would be larger than ${limits.maxResponseBytes} bytes; the operation was stopped`, {
        limit: 'responseBytes',
        max: limits.maxResponseBytes,
        http: { status: 400 },
      });
}

/** The request's database: every statement (and transaction) first checks the budget. */
export function budgetedDatabase(db: DataSource, budget: ExecutionBudget): DataSource {
  const guardManager = (manager: EntityManager): EntityManager =>
    new Proxy(manager, {
      get(target, property, receiver) {
        if (property === 'query') {
          return (sql: string, parameters?: unknown[]) => {
            budget.check();
            return target.query(sql, parameters);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
  return new Proxy(db, {
    get(target, property) {
      if (property === 'query') {
        return (sql: string, parameters?: unknown[]) => {
          budget.check();
          return target.query(sql, parameters);
        };
      }
      if (property === 'transaction') {
        return (...args: unknown[]) => {
          budget.check();
          const work = args.pop() as (tx: EntityManager) => Promise<unknown>;
          return (target.transaction as (...a: unknown[]) => Promise<unknown>)(...args, (tx: EntityManager) => work(guardManager(tx)));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A WebSocket operation's budget: a query or mutation also has REQUEST_TIMEOUT_MS; a subscription's events are budgeted in bytes each. */
export function operationBudget(limits: ExecutionBudget['limits'], args: Pick<ExecutionArgs, 'document' | 'operationName'>): ExecutionBudget {
  const operation = getOperationAST(args.document, args.operationName)?.operation;
  const budget = new ExecutionBudget(limits, { timeout: operation !== 'subscription' });
  if (operation === 'mutation') budget.forMutation();
  return budget;
}

/** graphql-js's execute for graphql-ws: a stopped operation answers its stop's error alone. */
export async function executeWithinBudget(args: ExecutionArgs): Promise<ExecutionResult> {
  const budget = (args.contextValue as BudgetHolder | undefined)?.budget;
  try {
    const result = await execute(args);
    return budget?.result() ?? result;
  } finally {
    budget?.dispose();
  }
}

/** What the schema's resolvers find in their context (server/context.ts). */
export interface BudgetHolder {
  budget?: ExecutionBudget;
}
