import { createHash, randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { Queryable } from '../../database/sql';
import type { Context } from '../../server/context';
import { AppError } from '../../server/errors';
import { claimKey, markCommitted, readKey, releaseKey, storeAnswer, type KeyRecord, type KeyRef } from './idempotency.data';

/**
 * Safe retries (docs/workers.md): a mutation sent over HTTP with an `Idempotency-Key` header is
 * done once per caller (API key, or person signed in with a JWT) and key, for 24 hours.
 *
 *   claim (RUNNING, its own commit) -> the mutation; in its transaction, COMMITTED -> the answer (DONE)
 *
 * A retry with the same body replays the stored answer (`Idempotent-Replayed: true`); with
 * another body, or while the first still runs, it is CONFLICT. The COMMITTED mark commits with
 * the mutation (runMutation calls ctx.idempotency), so once the mutation has happened no retry
 * runs it again, even if this instance dies before storing the answer: such a retry is CONFLICT
 * saying so (in progress until the claim is stale, as the answer may still be on its way). A
 * request that changed nothing and failed on our side (5xx, INTERNAL_SERVER_ERROR, UNAVAILABLE),
 * or never ran (refused by a limit), frees its key: a retry runs.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** Codes of answers that say nothing about the request: not kept, so a retry runs. */
const SERVER_FAILURES = new Set(['INTERNAL_SERVER_ERROR', 'UNAVAILABLE']);

/** What runMutation asks of a request sent with a key. */
export interface IdempotentRequest {
  /** In the mutation's transaction: record that it happened (CONFLICT if a retry took the key over). */
  committed(tx: Queryable): Promise<void>;
}

export function idempotencyPlugin(options: { requestTimeoutMs: number }): ApolloServerPlugin<Context> {
  // A RUNNING claim this old belongs to a request whose instance died: no live request runs longer.
  const staleMs = options.requestTimeoutMs + 5_000;
  return {
    async requestDidStart({ request }) {
      const header = request.http?.headers.get(IDEMPOTENCY_HEADER);
      if (header === undefined) return;
      let claim: KeyRef | null = null;
      let replay: KeyRecord | null = null;
      let executed = false;
      return {
        async didResolveOperation({ operation, contextValue: ctx, request }) {
          if (operation?.operation !== 'mutation' || !ctx.viewer) return; // a query's key is ignored; no caller, nothing to key
          const key = checkKey(header);
          const callerId = ctx.viewer.apiKey?.id ?? ctx.viewer.userId;
          const requestHash = hashRequest(request.query ?? '', request.operationName ?? null, request.variables ?? {});
          const db = ctx.services.db;
          for (let attempt = 0; attempt < 3; attempt++) {
            const ref = { callerId, key, claimId: randomUUID() };
            if (await claimKey(db, { ...ref, userId: ctx.viewer.userId, requestHash, staleMs })) {
              claim = ref;
              ctx.idempotency = {
                committed: async (tx) => {
                  if (!(await markCommitted(tx, ref))) throw conflict('A later request with this Idempotency-Key took it over: this one was not done');
                },
              };
              return;
            }
            const found = await readKey(db, callerId, key, staleMs);
            if (!found) continue; // freed between the two statements: claim again
            if (found.requestHash !== requestHash) throw conflict('This Idempotency-Key was used for another request: send a new key for a new request');
            // COMMITTED and live: the first request's mutation has committed and its answer is
            // being stored; only once the claim is stale was the answer lost.
            if (found.state === 'RUNNING' || (found.state === 'COMMITTED' && found.live)) {
              throw conflict('A request with this Idempotency-Key is still in progress: retry later', { inProgress: true });
            }
            if (found.state === 'COMMITTED') {
              throw conflict('The request with this Idempotency-Key was done, but its answer was lost: read the result instead of retrying', { committed: true });
            }
            replay = found;
            return;
          }
          throw conflict('This Idempotency-Key is changing hands: retry later', { inProgress: true });
        },
        async responseForOperation(): Promise<GraphQLResponse | null> {
          if (!replay) return null;
          return {
            http: { status: replay.responseStatus ?? 200, headers: new HeaderMap([['idempotent-replayed', 'true']]) },
            body: { kind: 'single', singleResult: JSON.parse(replay.responseBody!) },
          };
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response, contextValue: ctx }) {
          if (!claim) return;
          const db = ctx.services.db;
          const status = response.http.status ?? 200;
          const single = response.body.kind === 'single' ? response.body.singleResult : null;
          const failed = status >= 500 || !single || (single.errors ?? []).some((e) => SERVER_FAILURES.has(String(e.extensions?.code)));
          try {
            // A COMMITTED claim stays so when its answer is not kept: a retry must not run it again.
            if (!executed || failed) await releaseKey(db, claim);
            else await storeAnswer(db, claim, status, JSON.stringify(single));
          } catch (error) {
            // The claim stays RUNNING (or COMMITTED) until it is stale: retries get CONFLICT meanwhile, never a second run.
            ctx.log.warn({ err: error }, 'could not record the answer of an idempotent request');
          }
        },
      };
    },
  };
}

/** A key is 1 to 255 printable ASCII characters (BAD_USER_INPUT otherwise). */
function checkKey(header: string): string {
  if (header.length === 0 || header.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(header)) {
    throw new AppError('BAD_USER_INPUT', `The Idempotency-Key header must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters`, {
      field: 'Idempotency-Key',
      http: { status: 400 },
    });
  }
  return header;
}

const conflict = (message: string, extra: Record<string, unknown> = {}) => new AppError('CONFLICT', message, { ...extra, http: { status: 409 } });

/** The request's identity: its operation text, name and variables (keys in any order: the same JSON). */
function hashRequest(query: string, operationName: string | null, variables: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson([query, operationName, variables])).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
