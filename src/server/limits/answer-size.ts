import {
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
} from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';

/**
 * The bytes of JSON a resolver's value adds to the answer: its key, and what its selection
 * picks from the value, down to the fields that have resolvers of their own (those count
 * their values when they run). Close to the serialised size (escapes and number formats aside).
 */
export function answerBytes(value: unknown, info: GraphQLResolveInfo, ctx: unknown): number {
  const key = info.fieldNodes[0].alias?.value ?? info.fieldName;
  return key.length + 4 + sizeOf(value, info.returnType, info.fieldNodes, info, ctx);
}

type Kind = { list: GraphQLOutputType } | { leaf: true } | { object: GraphQLObjectType } | { abstract: true };

/** What a type is, once per type: graphql-js's type checks are slow outside production. */
const kinds = new WeakMap<GraphQLOutputType, Kind>();
function kindOf(type: GraphQLOutputType): Kind {
  let kind = kinds.get(type);
  if (kind) return kind;
  const nullable = getNullableType(type);
  if (isListType(nullable)) kind = { list: nullable.ofType };
  else if (isLeafType(nullable)) kind = { leaf: true };
  else if (isObjectType(nullable)) kind = { object: nullable };
  else kind = { abstract: true };
  kinds.set(type, kind);
  return kind;
}

function sizeOf(value: unknown, type: GraphQLOutputType, nodes: readonly FieldNode[], info: GraphQLResolveInfo, ctx: unknown): number {
  if (value === null || value === undefined || value instanceof Error) return 4;
  const kind = kindOf(type);
  if ('list' in kind) {
    if (!Array.isArray(value)) return 4;
    let bytes = 2;
    for (const item of value) bytes += 1 + sizeOf(item, kind.list, nodes, info, ctx);
    return bytes;
  }
  if ('leaf' in kind) return leafBytes(value);
  if (typeof (value as Promise<unknown>).then === 'function') return 0; // a deferred value: not ours to count here
  let objectType: GraphQLObjectType | undefined;
  if ('object' in kind) objectType = kind.object;
  else {
    const abstract = getNullableType(type);
    if (isAbstractType(abstract)) {
      const name = abstract.resolveType?.(value, ctx, info, abstract);
      const resolved = typeof name === 'string' ? info.schema.getType(name) : undefined;
      objectType = resolved && isObjectType(resolved) ? resolved : undefined;
    }
  }
  if (!objectType) return 2;
  let bytes = 2;
  const record = value as Record<string, unknown>;
  for (const entry of entriesOf(objectType, nodes, info)) {
    if (entry.resolved) continue;
    bytes += entry.keyBytes + (entry.typename ? objectType.name.length + 2 : sizeOf(record[entry.name], entry.type!, entry.nodes, info, ctx));
  }
  return bytes;
}

function leafBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return String(value).length;
    case 'boolean':
      return 5;
    default:
      return value instanceof Date ? 26 : (JSON.stringify(value)?.length ?? 4);
  }
}

interface Entry {
  name: string;
  /** `"key":` and a comma. */
  keyBytes: number;
  type?: GraphQLOutputType;
  nodes: readonly FieldNode[];
  /** Has a resolver: it counts its own value when it runs. */
  resolved: boolean;
  typename: boolean;
}

/** The subfields an object of a type answers under these field nodes, per operation (its variables decide @skip and @include). */
const plans = new WeakMap<object, WeakMap<readonly FieldNode[], Map<string, Entry[]>>>();
const NO_VARIABLES = {};

function entriesOf(type: GraphQLObjectType, nodes: readonly FieldNode[], info: GraphQLResolveInfo): Entry[] {
  const variables = info.variableValues ?? NO_VARIABLES;
  let byNodes = plans.get(variables);
  if (!byNodes) plans.set(variables, (byNodes = new WeakMap()));
  let byType = byNodes.get(nodes);
  if (!byType) byNodes.set(nodes, (byType = new Map()));
  let entries = byType.get(type.name);
  if (entries) return entries;
  entries = [];
  const fields = type.getFields();
  for (const [key, subNodes] of collectSubfields(info.schema, info.fragments, info.variableValues, type, nodes as FieldNode[])) {
    const name = subNodes[0].name.value;
    const field = fields[name];
    if (name !== '__typename' && !field) continue;
    entries.push({ name, keyBytes: key.length + 4, type: field?.type, nodes: subNodes, resolved: field?.resolve !== undefined, typename: name === '__typename' });
  }
  byType.set(type.name, entries);
  return entries;
}
