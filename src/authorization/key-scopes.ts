import { API_KEY_SCOPES, type ApiKeyScope } from '../modules/api-keys/api-key.entity';
import { forbidden } from '../server/errors';

/**
 * API key scopes (docs/permissions.md, "Sign in and keys"): READ (queries and subscriptions),
 * JOBS (READ, plus starting and reporting jobs), FULL (all its maker may). Each rule of the
 * policy table names the least scope a key needs to pass it (`key`; FULL when it says nothing:
 * deny by default), or `never` for what no key may do. A key reaches the highest scope it
 * lists; a request without a key is not limited by any of this.
 */
export type KeyNeed = ApiKeyScope | 'never';

const rank = (scope: ApiKeyScope) => API_KEY_SCOPES.indexOf(scope);

/** Whether a key of these scopes may pass a rule that needs `need`. */
export function keyReaches(scopes: readonly ApiKeyScope[], need: KeyNeed): boolean {
  return need !== 'never' && scopes.some((scope) => rank(scope) >= rank(need));
}

/** The refusal of a key whose scopes do not reach the rule's. */
export function keyScopeRefusal(need: KeyNeed) {
  return need === 'never'
    ? forbidden('An API key may not do this: sign in as a person')
    : forbidden(`This API key's scopes do not allow this: it needs the ${need} scope`);
}
