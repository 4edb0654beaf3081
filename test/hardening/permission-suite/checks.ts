import type { RuleName } from '../../../src/authorization/policy';
import type { Context } from '../../../src/server/context';
import type { Viewer } from './scenario';
import type { Ids, World } from './world';

/**
 * One generated case of any kind, as the two tests run it: against the policy table over its
 * rows in memory (policy.test.ts) and through the GraphQL API (api.test.ts). The answers are
 * plain strings, so a mismatch reads as one line: the oracle accepts one answer (or two where
 * the documents leave the order of two refusals open).
 */
export type Kind = 'gate' | 'list' | 'effect' | 'capability';
export const KINDS: readonly Kind[] = ['gate', 'list', 'effect', 'capability'];

export interface ApiCall {
  query: string;
  variables: Record<string, unknown>;
  /** Subscriptions go over the WebSocket: `read` then gets the events received, up to the sentinel's. */
  ws?: boolean;
  /** The job whose event closes what a subscription waits for (the viewer's own job, always delivered). */
  sentinel?: string;
  /** What the response says, in the words of `expected.api`. */
  read(res: { data?: any; errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, any> }>; events?: any[] }): string;
}

export interface Check {
  kind: Kind;
  /** The operation, list or flag it is about (cases are counted and sampled by it). */
  key: string;
  n: number;
  viewer: Viewer | null;
  /** 'viewer', or null for a request without a token. */
  viewerKey: string | null;
  describe(): string;
  build(): World;
  /** The oracle's answers: those the table may give, those the API may give; `writes`: an allowed mutation. */
  expected(): { table: string[]; api: string[]; writes: boolean };
  /** The table's answer over the case's rows in memory. */
  table(ctx: Context, ids: Ids, rules: Map<string, RuleName>): Promise<string>;
  /** The request that tries it through the API. */
  call(ids: Ids): ApiCall;
}

/** A permission refusal: a list holding nothing of what it was asked, a null object, a refused field. */
export const PERMISSION_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

/** The first error's code that is not a permission refusal, if any: a list case then answers `error <code>`. */
export function otherError(res: { errors?: Array<{ message: string; extensions?: Record<string, any> }> }): string | null {
  const other = res.errors?.find((e) => !PERMISSION_CODES.has(e.extensions?.code));
  return other ? `error ${other.extensions?.code ?? other.message}` : null;
}
