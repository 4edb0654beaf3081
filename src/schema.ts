import 'reflect-metadata';
import './modules/common/enums';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type PubSub } from 'type-graphql';
import { applyPolicy, authDirective } from './authorization/guard';
import { resolvers } from './modules/resolvers';

/** Builds the schema once: TypeGraphQL's classes, then the policy guard around every ruled field. */
export async function buildAppSchema(options: { pubSub?: PubSub } = {}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: resolvers as unknown as [Function, ...Function[]],
    directives: [authDirective],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    pubSub: options.pubSub,
    emitSchemaFile: false,
  });
  return applyPolicy(schema);
}
