import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { GraphQLError, parse, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { Limits } from '../../config';
import { AppError } from '../errors';
import { costEstimator, extraPoints } from './cost';

/**
 * The limits on an operation's document, shared by the HTTP path (Apollo) and the WebSocket
 * path (graphql-ws): the rules come from graphql-js (tokens), graphql-armor (depth, aliases,
 * directives) and graphql-query-complexity (cost); what is ours is only that every refusal is
 * a QUERY_TOO_COMPLEX error (HTTP 400).
 */
export type DocumentLimits = Pick<Limits, 'maxDepth' | 'maxCost' | 'maxAliases' | 'maxDirectives' | 'maxTokens'>;

export function tooComplex(message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('QUERY_TOO_COMPLEX', message, { ...extra, http: { status: 400 } });
}

/**
 * graphql-armor's rules report "Syntax Error: <what>"; we report a QUERY_TOO_COMPLEX error in
 * its place. (Throwing from a validation rule would make Apollo answer INTERNAL_SERVER_ERROR.)
 * On HTTP, Apollo wraps it as a validation error; formatError restores it (limitRefusal).
 */
function refuse(limit: string, max: number) {
  const report = (ctx: ValidationContext | null, error: GraphQLError) => {
    ctx?.reportError(tooComplex(error.message.replace(/^Syntax Error: /, ''), { limit, max }));
  };
  return { onReject: [report], propagateOnRejection: false as const };
}

/** Validation rules for depth, aliases and directives (added after graphql-js's own rules). */
export function limitRules(limits: DocumentLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...refuse('depth', limits.maxDepth) }),
    maxAliasesRule({ n: limits.maxAliases, ...refuse('aliases', limits.maxAliases) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...refuse('directives', limits.maxDirectives) }),
  ] as ValidationRule[];
}

/** graphql-js's parser stops at `maxTokens` with this message (sic: "more that" in 16.x). */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/** The limit named by graphql-js's token-limit error (HTTP: Apollo's `parseOptions`), or undefined. */
export function tokenLimitOf(message: string): number | undefined {
  const match = TOKEN_LIMIT_MESSAGE.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Parses with a cap on lexical tokens: the parser stops at the limit, so a huge document
 * costs no more than a small one. Other syntax errors stay BAD_USER_INPUT.
 */
export function parseWithLimits(source: string, limits: DocumentLimits): DocumentNode {
  try {
    return parse(source, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError && tokenLimitOf(error.message) !== undefined) throw tokenLimit(limits.maxTokens);
    throw error;
  }
}

export const tokenLimit = (max: number) => tooComplex(`The document has more than ${max} tokens`, { limit: 'tokens', max });

/** An operation's estimated cost, and the rate-limit points it is charged. */
export interface Price {
  cost: number;
  /** The cost (at least 1) plus what the estimate does not see: one per invitation email (cost.ts, extraPoints). */
  points: number;
}

/**
 * Throws QUERY_TOO_COMPLEX when the operation's estimated cost passes the limit. Needs a valid
 * document and the request's variables (a `first: $n` is priced at its value). Variables that
 * do not coerce are left for execution to refuse (priced 0: 1 point).
 */
export function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  limits: DocumentLimits,
): Price {
  const { cost, extra } = estimate(schema, document, variables, operationName);
  if (cost > limits.maxCost) {
    throw tooComplex(`The operation costs ${cost}, more than the limit of ${limits.maxCost}`, { limit: 'cost', max: limits.maxCost, cost });
  }
  return { cost, points: Math.max(cost, 1) + extra };
}

/**
 * Estimates are remembered per parsed document (the HTTP server and the WebSocket parse cache
 * hand back the same object for the same text) and per operation and variables: an app sends the
 * same few operations with the same few values again and again, and walking the document for
 * each costs more than the rest of a small request's checks.
 */
const ESTIMATES_PER_DOCUMENT = 64;
const estimates = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Estimate>>>();

interface Estimate {
  cost: number;
  extra: number;
}

function estimate(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName: string | null | undefined): Estimate {
  let byDocument = estimates.get(schema);
  if (!byDocument) estimates.set(schema, (byDocument = new WeakMap()));
  let known = byDocument.get(document);
  if (!known) byDocument.set(document, (known = new Map()));
  const key = JSON.stringify([operationName ?? null, variables ?? null]);
  let found = known.get(key);
  if (!found) {
    if (known.size >= ESTIMATES_PER_DOCUMENT) known.clear();
    known.set(key, (found = walk(schema, document, variables, operationName)));
  }
  return found;
}

function walk(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName: string | null | undefined): Estimate {
  let extra = 0;
  // Answers no price (undefined): the walk goes on to costEstimator; this one only adds up.
  const counter: ComplexityEstimator = (args) => {
    extra += extraPoints(args);
  };
  try {
    const cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [counter, costEstimator],
    });
    return { cost, extra };
  } catch (error) {
    if (error instanceof GraphQLError) return { cost: 0, extra: 0 }; // bad variables: execution answers BAD_USER_INPUT (1 point)
    throw error;
  }
}

/** The estimated cost alone (priceOperation). */
export function assertCost(...args: Parameters<typeof priceOperation>): number {
  return priceOperation(...args).cost;
}
