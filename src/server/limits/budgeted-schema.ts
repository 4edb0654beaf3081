import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badInput } from '../errors';
import { answerBytes } from './answer-size';
import { LIST_MAX } from './caps';
import type { BudgetHolder } from './execution-budget';

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | null)?.then === 'function';

/**
 * Wraps every resolver of the schema (graphql-js and graphql-jit call the same functions):
 * before it runs, the operation's budget is checked (execution-budget.ts); a list field
 * answers at most its declared maximum (caps.ts) and its `first` (refused out of
 * 0..maximum); what it returns is counted against the byte budget. Plain properties have no
 * resolver (simpleResolvers): they are counted with the object that holds them.
 */
export function applyExecutionBudget(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const max = LIST_MAX[`${typeName}.${fieldName}`];
      if (!field.resolve && max === undefined) return field;
      const inner: GraphQLFieldResolver<unknown, BudgetHolder> = field.resolve ?? defaultFieldResolver;
      const takesFirst = max !== undefined && field.args !== undefined && 'first' in field.args;
      const resolve: GraphQLFieldResolver<unknown, BudgetHolder> = (source, args, ctx, info) => {
        const budget = ctx?.budget;
        budget?.check(info.rootValue);
        let limit = max;
        if (takesFirst && args.first !== undefined && args.first !== null) {
          const first = args.first as number;
          if (!Number.isInteger(first) || first < 0 || first > max) throw badInput('first', `first must be an integer from 0 to ${max}`);
          limit = first;
        }
        const done = (value: unknown) => {
          const kept = limit !== undefined && Array.isArray(value) && value.length > limit ? value.slice(0, limit) : value;
          budget?.add(info.rootValue, answerBytes(kept, info, ctx));
          return kept;
        };
        const value = inner(source, args, ctx, info);
        return isPromise(value) ? value.then(done) : done(value);
      };
      return { ...field, resolve };
    },
  });
}
