import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { ExecutionBudget } from './limits/execution-budget';

export interface QueryExecutorOptions {
  /**
   * How many times a query document runs on graphql-js before it is compiled; 0 compiles at first
   * sight. Compiling costs a few milliseconds: a stream of one-off documents should not pay it.
   */
  compileAfter: number;
  /** Compiled documents kept (least recently used first out). */
  maxCompiled: number;
}

export interface QueryExecutor {
  /** What Apollo takes as its `gateway`. */
  gateway: GatewayInterface;
  /** Operations run so far, by how: compiled code or graphql-js. */
  counts: ExecutionCounts;
}
export interface ExecutionCounts {
  compiled: number;
  interpreted: number;
}

/**
 * Executes the operations Apollo has parsed and validated. Queries seen often enough are compiled
 * with graphql-jit and cached: a page of people resolves some 30,000 fields, and compiled code
 * does it without graphql-js's per-field bookkeeping (argument maps, paths, result arrays).
 * Mutations and subscriptions, and queries not yet compiled, run on graphql-js as before.
 *
 * Apollo Server 5 has no executor option; its migration guide passes a custom executor as a
 * `gateway`, which is all this is: the same schema, loaded once, never updated.
 */
export function queryExecutor(schema: GraphQLSchema, options: QueryExecutorOptions): QueryExecutor {
  const counts: ExecutionCounts = { compiled: 0, interpreted: 0 };
  const compiled = new LRUCache<string, CompiledQuery | 'not-compilable'>({ max: Math.max(1, options.maxCompiled) });
  const sightings = new LRUCache<string, number>({ max: Math.max(1, options.maxCompiled) * 4 });

  const compiledFor = (key: string, run: Parameters<GatewayExecutor>[0]): CompiledQuery | undefined => {
    const cached = compiled.get(key);
    if (cached) return cached === 'not-compilable' ? undefined : cached;
    const seen = sightings.get(key) ?? 0;
    if (seen < options.compileAfter) {
      sightings.set(key, seen + 1);
      return undefined;
    }
    sightings.delete(key);
    const result = compileQuery(schema, run.document, run.request.operationName ?? undefined, { disablingCapturingStackErrors: true });
    // graphql-js answers anything the compiler refuses, with graphql-js's own errors.
    const query = isCompiledQuery(result) ? result : undefined;
    compiled.set(key, query ?? 'not-compilable');
    return query;
  };

  // Both paths call the schema's resolvers, which check the request's budget (execution-budget.ts):
  // once it is stopped, the operation answers the stop's error alone.
  const executor: GatewayExecutor = async (run) => {
    const budget = (run.context as { budget?: ExecutionBudget }).budget;
    if (run.operation?.operation === 'mutation') budget?.forMutation();
    const result = await runOperation(run);
    return budget?.result() ?? result;
  };

  const runOperation = async (run: Parameters<GatewayExecutor>[0]): Promise<ExecutionResult> => {
    // No operation (an unknown operation name): graphql-js words the error, Apollo codes it.
    const query = run.operation?.operation === 'query' ? compiledFor(`${run.queryHash}:${run.request.operationName ?? ''}`, run) : undefined;
    if (query) {
      // graphql-js checks the variables first: its errors point at the variable definition,
      // which is how Apollo tells bad input (BAD_USER_INPUT, HTTP 400) from a server fault.
      const inputs = run.request.variables ?? {};
      const coerced = getVariableValues(schema, run.operation!.variableDefinitions ?? [], inputs, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
      counts.compiled++;
      return (await query.query(undefined, run.context, inputs)) as ExecutionResult;
    }
    counts.interpreted++;
    return execute({
      schema,
      document: run.document,
      contextValue: run.context,
      variableValues: run.request.variables,
      operationName: run.request.operationName,
    });
  };

  const gateway: GatewayInterface = {
    load: async () => ({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: async () => undefined,
  };
  return { gateway, counts };
}
