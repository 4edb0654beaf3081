import { getNullableType, isListType, type GraphQLField } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from '../../modules/common/pagination';

/** What a list without `first` (members of a group, assignments, ...) is assumed to hold. */
export const UNPAGED_LIST_SIZE = 10;

/**
 * The price of a field: 1, plus its selection times how many items it may return.
 * - a field with a `first` argument returns at most `first` items (clamped to 0..100: a value
 *   out of range is refused by the service with BAD_USER_INPUT, not priced here);
 * - the `nodes` of a `...Connection` are already counted by their connection's `first`;
 * - any other list is assumed to hold UNPAGED_LIST_SIZE items.
 */
export const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  return 1 + multiplier(type.name, field, args) * childComplexity;
};

function multiplier(parentType: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  // Introspection reads the schema in memory (and is off in production): never multiplied.
  if (parentType.startsWith('__') || field.name.startsWith('__')) return 1;
  if (field.args.some((arg) => arg.name === 'first')) {
    const first = args.first;
    if (typeof first !== 'number' || !Number.isFinite(first)) return MAX_PAGE_SIZE;
    return Math.min(Math.max(Math.trunc(first), 0), MAX_PAGE_SIZE);
  }
  if (!isListType(getNullableType(field.type))) return 1;
  if (parentType.endsWith('Connection') && field.name === 'nodes') return 1;
  return UNPAGED_LIST_SIZE;
}
