import { getNamedType, isObjectType, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';

/**
 * Whether the operation asks, inside the field being resolved, for the sub-field at `path`
 * (`'totalCount'`, or `'nodes', 'user'`): under any alias, in fragments, with @skip and @include
 * applied (graphql-js's own field collection). For work that only one sub-field needs (a
 * list's total, the people a page names), which a resolver can leave out when unread.
 */
export function selectsSubField(info: GraphQLResolveInfo, ...path: string[]): boolean {
  let type = getNamedType(info.returnType);
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    if (!isObjectType(type)) return true; // cannot tell (an abstract type): assume it is asked for
    const fields = collectSubfields(info.schema, info.fragments, info.variableValues, type, nodes);
    const found = [...fields.values()].filter((same) => same[0].name.value === name).flat();
    const field = type.getFields()[name];
    if (found.length === 0 || !field) return false;
    type = getNamedType(field.type);
    nodes = found;
  }
  return true;
}
