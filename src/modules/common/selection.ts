import { getNamedType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';

/**
 * Whether the operation asks for `name` inside the field being resolved: under any alias, in
 * fragments, with @skip and @include applied (graphql-js's own field collection). For work that
 * only one sub-field needs (a list's total, say), which a resolver can leave out when unread.
 */
export function selectsSubField(info: GraphQLResolveInfo, name: string): boolean {
  const type = getNamedType(info.returnType) as GraphQLObjectType;
  const fields = collectSubfields(info.schema, info.fragments, info.variableValues, type, info.fieldNodes);
  for (const nodes of fields.values()) if (nodes[0].name.value === name) return true;
  return false;
}
