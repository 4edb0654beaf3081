import { SqlParams, type ObjectKind, type Viewer } from './conditions';
import type { AtomsAt } from './facts.data';
import { policy, type RuleName } from './policy';
import { scopes, scopeSql, type Scope } from './scopes';

/**
 * What a list may hold for a viewer: the scope its rule declares (`policy[rule].lists`). A
 * module's list query composes it into its WHERE clause with `visibleSql`, naming where its row
 * sits in the statement, so the list holds what the scope lets the viewer see and nothing else.
 */
export interface Visibility<K extends ObjectKind = ObjectKind> {
  viewer: Viewer;
  scope: Scope<K>;
}

export function listScope(rule: RuleName, viewer: Viewer): Visibility {
  const name = (policy[rule] as { lists?: keyof typeof scopes }).lists;
  if (!name) throw new Error(`the rule ${rule} declares no list scope`);
  return { viewer, scope: scopes[name] as Scope<any> };
}

/** The visibility as a predicate over the statement's row at `at`, its parameters added to `params`. */
export function visibleSql<K extends ObjectKind>(v: Visibility<K>, at: AtomsAt<K>, params: unknown[]): string {
  return scopeSql(v.scope, v.viewer, at, new SqlParams(params));
}
