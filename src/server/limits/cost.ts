import { getNamedType, getNullableType, isEnumType, isListType, type GraphQLField } from 'graphql';
import type { ComplexityEstimator, ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from '../../modules/common/pagination';
import { LIST_MAX } from './caps';

/** What a list with no declared maximum is priced at: more than any limit admits, so it is refused. */
export const UNBOUNDED_LIST = 1_000_000_000;

/**
 * The price of a field: 1, plus its selection times how many items it may return, an upper
 * bound of what it answers (the service never answers more, execution-budget.ts):
 * - a connection (`...Connection` with `first`) returns at most `first` items (its default when
 *   absent; clamped to 1..100: a value out of range is refused with BAD_USER_INPUT, not priced
 *   here), and its `nodes` are counted by the connection;
 * - any other list returns at most its declared maximum (caps.ts, LIST_MAX), or `first` when smaller;
 * - a list of an enum holds at most its values.
 */
export const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  return 1 + multiplier(type.name, field, args) * childComplexity;
};

/** The most items `parentType.field` may return with these arguments. */
export function multiplier(parentType: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  // Introspection reads the schema in memory (and is off in production): never multiplied.
  if (parentType.startsWith('__') || field.name.startsWith('__')) return 1;
  const declared = LIST_MAX[`${parentType}.${field.name}`];
  const first = typeof args.first === 'number' && Number.isFinite(args.first) ? Math.max(Math.trunc(args.first), 0) : undefined;
  if (declared !== undefined) return Math.min(first ?? declared, declared);
  // A connection's multiplier covers its nodes and its other fields (totalCount, pageInfo): at least once.
  if (field.args.some((arg) => arg.name === 'first')) return Math.max(Math.min(first ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE), 1);
  if (!isListType(getNullableType(field.type))) return 1;
  if (parentType.endsWith('Connection') && field.name === 'nodes') return 1;
  const item = getNamedType(field.type);
  if (isEnumType(item)) return item.getValues().length;
  return UNBOUNDED_LIST;
}

/**
 * Rate-limit points a field costs on top of its estimate, for work the estimate does not see:
 * each invitation email is a mail sent to someone who did not ask for it.
 */
export function extraPoints({ type, field, args }: Pick<ComplexityEstimatorArgs, 'type' | 'field' | 'args'>): number {
  if (type.name !== 'Mutation' || field.name !== 'inviteUsers') return 0;
  const emails = (args.input as { emails?: unknown } | undefined)?.emails;
  return Array.isArray(emails) ? emails.length : 0;
}
