import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  DirectiveLocation,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLNonNull,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLFieldConfig,
  type GraphQLSchema,
} from 'graphql';
import { Directive } from 'type-graphql';
import { checkArguments } from '../modules/common/input-checks';
import type { Context } from '../server/context';
import { forbidden, notFound, unauthenticated } from '../server/errors';
import { effectsAllow } from './effects';
import { keyReaches, keyScopeRefusal } from './key-scopes';
import { policy, RULE_NAMES, type AnyRule, type RuleName, type Verdict } from './policy';
import { targets } from './targets';

/** The rule names as a GraphQL enum, generated from the policy table. */
export const AuthRuleEnum = new GraphQLEnumType({
  name: 'AuthRule',
  description: 'The rules of the policy table (src/authorization/policy.ts).',
  values: Object.fromEntries(RULE_NAMES.map((name) => [name, { value: name, description: policy[name].who }])),
});

export const authDirective = new GraphQLDirective({
  name: 'auth',
  description: 'The rule of the policy table that guards this field.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: { rule: { type: new GraphQLNonNull(AuthRuleEnum) } },
});

/** `@Auth('updateWorkspace')` on a resolver method or field: names its rule, checked at compile time. */
export const Auth = (rule: RuleName) => Directive(`@auth(rule: ${rule})`);

/**
 * Checks one rule for the viewer against the target found from the field's parent and
 * arguments, then the rules of the operations its inputs stand for (effects.ts). Throws
 * UNAUTHENTICATED with no viewer (unless the rule needs `nothing`); answers the verdict otherwise.
 * A request made with an API key whose scopes do not reach the rule's is refused (false) before
 * any object is looked up: the answer then tells nothing of the objects named.
 */
export async function authorize(ctx: Context, name: RuleName, parent: unknown, args: Record<string, any>): Promise<Verdict> {
  const rule = policy[name] as AnyRule;
  const needs = rule.needs ?? 'joined';
  if (needs === 'nothing') return true;
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  if (viewer.apiKey && !keyReaches(viewer.apiKey.scopes, rule.key ?? 'FULL')) return false;
  const target = await targets[rule.target](ctx, parent, args);
  if (!target) return 'hidden';
  if (needs === 'signed-in') {
    // A rule that needs no membership reads no workspace role.
    return rule.allow({ userId: viewer.userId, role: undefined as never, membership: null }, target as never, args);
  }
  const membership = target.workspaceId ? await ctx.access.membership(target.workspaceId) : null;
  if (!membership || (needs === 'joined' && membership.status !== 'JOINED')) return 'hidden';
  const actor = { userId: viewer.userId, role: membership.role, membership };
  const verdict = rule.allow(actor, target as never, args);
  return verdict === true ? effectsAllow(name, actor, target, args) : verdict;
}

/** The FORBIDDEN of a refused rule: naming the scope it needs when the viewer's API key falls short of it. */
export function refusal(ctx: Context, name: RuleName) {
  const need = (policy[name] as AnyRule).key ?? 'FULL';
  const key = ctx.viewer?.apiKey;
  return key && !keyReaches(key.scopes, need) ? keyScopeRefusal(need) : forbidden();
}

/** The rule named on a field by its @auth directive, if any. */
export function ruleOf(schema: GraphQLSchema, field: GraphQLFieldConfig<any, any>): RuleName | undefined {
  return getDirective(schema, field, 'auth')?.[0]?.rule as RuleName | undefined;
}

/**
 * The one enforcement point: wraps the resolver (and, for subscriptions, the subscribe
 * function) of every field that names a rule. Its input is checked first (common/input-checks.ts). The same schema serves HTTP and WebSocket,
 * so both go through here. A hidden object reads as null on a nullable field and as
 * NOT_FOUND on a non-null one; a refusal is FORBIDDEN.
 */
export function applyPolicy(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => {
      const name = ruleOf(schema, field);
      if (!name) return field;
      if (!(name in policy)) throw new Error(`@auth on ${fieldName} names an unknown rule: ${name}`);
      const nullable = !isNonNullType(field.type);
      const argDefinitions = Object.entries(field.args ?? {}).map(([argName, arg]) => ({ ...arg, name: argName })) as GraphQLArgument[];
      const guard = <F extends (...a: any[]) => any>(inner: F) =>
        async function guarded(parent: unknown, args: Record<string, any>, ctx: Context, info: any) {
          checkArguments(argDefinitions, args); // bad input is refused before any rule is looked up
          const verdict = await authorize(ctx, name, parent, args);
          if (verdict === 'hidden') {
            if (nullable && !field.subscribe) return null;
            throw notFound();
          }
          if (verdict !== true) throw refusal(ctx, name);
          return inner(parent, args, ctx, info);
        };
      return field.subscribe
        ? { ...field, subscribe: guard(field.subscribe) }
        : { ...field, resolve: guard(field.resolve ?? defaultFieldResolver) };
    },
  });
}
