/**
 * The oracle's word on API key scopes, from docs/permissions.md ("Sign in and keys") alone; like
 * oracle.ts it imports nothing from src/. "API keys act as their maker, in one workspace, within
 * their scopes: READ (queries and subscriptions), JOBS (READ plus startJob, reportJobProgress,
 * completeJob, failJob, cancelJob, retryJob), FULL. A key never makes another key."
 * READING: FULL is everything its maker may but making a key or a workspace (a key acts in its
 * own workspace only); a field of an object read by a query is part of that query (READ).
 */
export type KeyScope = 'READ' | 'JOBS' | 'FULL';
export const KEY_SCOPES: readonly KeyScope[] = ['READ', 'JOBS', 'FULL'];

const JOB_OPERATIONS = ['startJob', 'reportJobProgress', 'completeJob', 'failJob', 'cancelJob', 'retryJob'].map((f) => `Mutation.${f}`);
const NO_KEY = ['Mutation.createApiKey', 'Mutation.createWorkspace'];

/** Whether a key of this scope may try the operation (`Type.field`) at all; its maker's rules still apply. */
export function keyScopeAllows(scope: KeyScope, op: string): boolean {
  if (!op.startsWith('Mutation.')) return true;
  if (NO_KEY.includes(op)) return false;
  if (JOB_OPERATIONS.includes(op)) return scope !== 'READ';
  return scope === 'FULL';
}
