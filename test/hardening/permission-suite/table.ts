import type { ObjectFacts, ObjectKind } from '../../../src/authorization/conditions';
import { authorize } from '../../../src/authorization/guard';
import { policy, type AnyRule, type RuleName } from '../../../src/authorization/policy';
import { scopes, sees, type ScopeName } from '../../../src/authorization/scopes';
import type { Context } from '../../../src/server/context';
import type { Ids } from './world';

/**
 * The table's side of a case, read from src/authorization only: the rule guarding a field
 * (`authorize`), and the scope a list rule declares (`policy[rule].lists`) or, for a field with
 * no rule, the scope of the kind of object it shows. Nothing here decides anything itself.
 */

/** The guard's decision, in the oracle's words. */
export async function verdictOf(ctx: Context, rule: RuleName, parent: unknown, args: Record<string, any>): Promise<string> {
  try {
    const verdict = await authorize(ctx, rule, parent, args);
    return verdict === true ? 'allow' : verdict === 'hidden' ? 'NOT_FOUND' : 'FORBIDDEN';
  } catch (error: any) {
    return error?.extensions?.code ?? `threw ${error?.message}`;
  }
}

/** An object named in a case: its kind and its key among the case's rows. */
export type ObjectRef = Partial<Record<ObjectKind, string>>;

/** The facts a scope reads of one object of workspace `ws`, as the viewer's request loads them; null if there is no such object there. */
export async function factsOf<K extends ObjectKind>(ctx: Context, kind: K, id: string, ws: string): Promise<ObjectFacts[K] | null> {
  const a = ctx.access;
  const inWs = <T extends { workspaceId: string } | null>(f: T) => (f && f.workspaceId === ws ? f : null);
  switch (kind) {
    case 'person':
      return (await a.person(ws, id)) as ObjectFacts[K] | null;
    case 'resource':
      return inWs(await a.resource(id)) as ObjectFacts[K] | null;
    case 'group':
      return inWs(await a.group(id)) as ObjectFacts[K] | null;
    case 'job':
      return inWs(await a.job(id)) as ObjectFacts[K] | null;
    case 'apiKey':
      return inWs(await a.apiKey(id)) as ObjectFacts[K] | null;
  }
  return null;
}

/** Whether the viewer, as a JOINED member of `ws`, sees the object under the scope. */
export async function inScope(ctx: Context, name: ScopeName, object: ObjectRef, ids: Ids, ws: string): Promise<boolean> {
  const scope = scopes[name];
  const key = object[scope.kind];
  if (key === undefined) throw new Error(`the case names no ${scope.kind} for the scope ${name}`);
  const actor = await ctx.access.actor(ws);
  if (!actor) return false;
  const facts = await factsOf(ctx, scope.kind, ids.id(key), ws);
  return facts !== null && sees(scope as any, actor, facts as any);
}

/** One field a list case reaches, in order: its parent and arguments, the objects it names or lists, and their scope when the field has no rule. */
export interface Step {
  field: string;
  parent?: unknown;
  args: Record<string, any>;
  object?: ObjectRef;
  /** The scope of what this field shows, unless its rule declares one (Job.retryOf shows a job: the job scope). */
  scope?: ScopeName;
}

/**
 * Whether every step lets the object through: the field's rule, if it has one, allows; and the
 * object it names is in the scope the rule declares (`lists`), or else in the scope of what the
 * field shows (a field without a list rule: Job.retryOf shows a job, soleAdminOf resources).
 */
export async function stepsPass(ctx: Context, rules: Map<string, RuleName>, steps: Step[], ids: Ids, ws: string): Promise<boolean> {
  for (const step of steps) {
    const rule = rules.get(step.field);
    if (rule && (await verdictOf(ctx, rule, step.parent, step.args)) !== 'allow') return false;
    const scope = (rule && (policy[rule] as AnyRule).lists) || step.scope;
    if (scope && step.object && !(await inScope(ctx, scope, step.object, ids, ws))) return false;
  }
  return true;
}
