import 'reflect-metadata';
import './modules/common/enums';
import { GraphQLInterfaceType, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema, type PubSub } from 'type-graphql';
import { applyPolicy, authDirective } from './authorization/guard';
import { resolvers } from './modules/resolvers';
import { resourceTypeName } from './modules/resources/resource.types';
import { applyExecutionBudget } from './server/limits/budgeted-schema';

/**
 * Builds the schema once: TypeGraphQL's classes, then the policy guard around every ruled field.
 * Object types declare `simpleResolvers: true`: the service uses no TypeGraphQL middlewares or
 * authChecker (the guard wraps resolvers itself), so plain properties resolve with graphql-js's
 * default resolver, not a wrapper each (a page of people has thousands of such fields).
 */
export async function buildAppSchema(options: { pubSub?: PubSub } = {}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: resolvers as unknown as [Function, ...Function[]],
    // The list replaces graphql-js's own: keep @include, @skip, @deprecated, @specifiedBy.
    directives: [...specifiedDirectives, authDirective],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // Input is checked at one boundary, the guard (the checks each input class declares, common/input-checks.ts).
    validate: false,
    // TypeGraphQL refuses subscriptions without a PubSub; jobEvents brings its own `subscribe`
    // (the job feed, src/events) and never publishes through this one.
    pubSub: options.pubSub ?? createPubSub(),
    emitSchemaFile: false,
  });
  // The budget wraps the guard: a stopped operation runs no rule either.
  const guarded = applyExecutionBudget(applyPolicy(schema));
  // TypeGraphQL wraps resolveType in an async function: a promise for each of the thousands of
  // resources a page of assignments names. The mapping is synchronous; use it as it is.
  (guarded.getType('Resource') as GraphQLInterfaceType).resolveType = resourceTypeName;
  return guarded;
}
