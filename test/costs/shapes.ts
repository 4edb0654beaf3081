import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  getNullableType,
  parse,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { loadConfig } from '../../src/config';
import { assertCost } from '../../src/server/limits/document-limits';
import { LIST_MAX } from '../../src/server/limits/caps';
import { MAX_PAGE_SIZE } from '../../src/modules/common/pagination';

/**
 * Operations of nested lists, for measuring what the limits admit: a shape is a chain of hops
 * from `workspace(id: $w)` through object and list fields, each level selecting all its leaves
 * (and `viewerCan`), with `first` tuned so the operation costs as much as the limit admits.
 */

export const schema: GraphQLSchema = buildSchema(readFileSync(join(__dirname, '../../schema.graphql'), 'utf8'));
export const LIMITS = loadConfig({}).limits;

export interface Hop {
  field: string;
  /** The type whose fields the next level selects (a connection's node type; Project for a Resource). */
  target: GraphQLObjectType;
  list: boolean;
  connection: boolean;
  /** The most `first` admits, when the field takes one. */
  maxFirst?: number;
  /** An inline fragment on the target (the field returns an interface). */
  fragment?: string;
}

export interface Shape {
  hops: Hop[];
  firsts: number[];
  /** How many aliased copies of the first hop. */
  copies: number;
  query: string;
  cost: number;
}

const hasRequiredArgs = (field: GraphQLField<unknown, unknown>) => field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** The next hops from an object type: object and list fields (not capabilities, not lookups by id). */
export function hopsFrom(type: GraphQLObjectType): Hop[] {
  const hops: Hop[] = [];
  for (const field of Object.values(type.getFields())) {
    if (hasRequiredArgs(field) || field.name === 'viewerCan') continue;
    let named = getNamedType(field.type);
    if (isLeafType(named) || named.name === 'PageInfo') continue;
    const list = isListType(getNullableType(field.type));
    const connection = named.name.endsWith('Connection');
    if (connection && isObjectType(named)) named = getNamedType(named.getFields().nodes.type);
    let fragment: string | undefined;
    if (isInterfaceType(named)) {
      fragment = 'Project';
      named = schema.getType('Project') as GraphQLObjectType;
    }
    if (!isObjectType(named)) continue;
    const takesFirst = field.args.some((a) => a.name === 'first');
    const maxFirst = takesFirst ? (LIST_MAX[`${type.name}.${field.name}`] ?? MAX_PAGE_SIZE) : undefined;
    hops.push({ field: field.name, target: named, list: list || connection, connection, maxFirst, fragment });
  }
  return hops;
}

/** The leaves of a type (scalars and enums without required arguments), and `viewerCan`'s. */
function leaves(type: GraphQLObjectType, depthLeft: number): string {
  const own = Object.values(type.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !hasRequiredArgs(f))
    .map((f) => f.name);
  const can = type.getFields().viewerCan;
  if (can && depthLeft >= 1) own.push(`viewerCan { ${leaves(getNamedType(can.type) as GraphQLObjectType, 0)} }`);
  return own.join(' ');
}

/** The selection of `type` at `depth` (its fields' depth), with the hops from `i` on. */
function selection(type: GraphQLObjectType, hops: Hop[], firsts: number[], i: number, depth: number, copies: number): string {
  let out = leaves(type, LIMITS.maxDepth - depth);
  if (i < hops.length) {
    const hop = hops[i];
    const args = hop.maxFirst !== undefined ? `(first: ${firsts[i]})` : '';
    let inner = selection(hop.target, hops, firsts, i + 1, depth + (hop.connection ? 2 : 1), 1);
    if (hop.fragment) inner = `__typename ... on ${hop.fragment} { ${inner} }`;
    const body = hop.connection ? `{ nodes { ${inner} } }` : `{ ${inner} }`;
    for (let c = 0; c < copies; c++) out += ` ${copies > 1 ? `c${c}: ` : ''}${hop.field}${args} ${body}`;
  }
  return out;
}

/** The depth of the deepest field of a chain (workspace is 1; viewerCan leaves are not counted: they are dropped when too deep). */
export function depthOf(hops: Hop[]): number {
  return hops.reduce((d, hop) => d + (hop.connection ? 2 : 1), 2);
}

export function queryOf(hops: Hop[], firsts: number[], copies = 1): string {
  const root = schema.getType('Workspace') as GraphQLObjectType;
  return `query($w: ID!) { workspace(id: $w) { ${selection(root, hops, firsts, 0, 2, copies)} } }`;
}

export function costOf(query: string): number {
  return assertCost(schema, parse(query), { w: '00000000-0000-0000-0000-000000000000' }, undefined, { ...LIMITS, maxCost: Number.MAX_SAFE_INTEGER });
}

/**
 * `first` for each hop so that the operation costs as much as the limit admits: all equal
 * (as high as admitted), then each from the outermost raised as far as admitted; then aliased
 * copies of the first hop while they fit. Undefined when even `first: 1` everywhere is too much.
 */
export function tune(hops: Hop[]): Shape | undefined {
  const tunable = hops.map((h, i) => (h.maxFirst !== undefined ? i : -1)).filter((i) => i >= 0);
  const firsts = hops.map((h) => h.maxFirst ?? 0);
  const fits = () => costOf(queryOf(hops, firsts)) <= LIMITS.maxCost;
  const setAll = (k: number) => tunable.forEach((i) => (firsts[i] = Math.min(k, hops[i].maxFirst!)));
  if (tunable.length > 0) {
    let [lo, hi] = [1, Math.max(...tunable.map((i) => hops[i].maxFirst!))];
    setAll(lo);
    if (!fits()) return undefined;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      setAll(mid);
      if (fits()) lo = mid;
      else hi = mid - 1;
    }
    setAll(lo);
    for (const i of tunable) {
      let [low, high] = [firsts[i], hops[i].maxFirst!];
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        firsts[i] = mid;
        if (fits()) low = mid;
        else high = mid - 1;
      }
      firsts[i] = low;
    }
  } else if (!fits()) return undefined;
  const single = costOf(queryOf(hops, firsts));
  const copies = Math.max(1, Math.min(LIMITS.maxAliases, Math.floor((LIMITS.maxCost - 2) / Math.max(single - 1, 1))));
  let query = queryOf(hops, firsts, copies);
  let n = copies;
  while (n > 1 && costOf(query) > LIMITS.maxCost) query = queryOf(hops, firsts, --n);
  return { hops, firsts, copies: n, query, cost: costOf(query) };
}

/** What the cost estimate counts, in an answer: each field 1, plus its items' fields (`__typename` is free). */
export function realItems(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + realItems(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  for (const [key, child] of Object.entries(value)) if (key !== '__typename') n += 1 + realItems(child);
  return n;
}

export const label = (shape: Pick<Shape, 'hops' | 'firsts' | 'copies'>) =>
  (shape.copies > 1 ? `${shape.copies} x ` : '') +
  ['workspace', ...shape.hops.map((h, i) => `${h.field}${h.maxFirst !== undefined ? `(${shape.firsts[i]})` : ''}`)].join('.');
