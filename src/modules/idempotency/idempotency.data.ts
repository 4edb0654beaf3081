import { BACKGROUND, queryOne, queryRows, type Queryable } from '../../database/sql';

/** The SQL of Idempotency-Key: one row per (caller, key), kept 24 hours. */

export const KEPT_HOURS = 24;

export interface KeyRef {
  callerId: string;
  key: string;
  /** Which request holds the claim: only it marks the row COMMITTED or stores the answer. */
  claimId: string;
}

export interface KeyRecord {
  requestHash: string;
  state: 'RUNNING' | 'COMMITTED' | 'DONE';
  /** Its claim changed less than `staleMs` ago: the request holding it may still be running. */
  live: boolean;
  responseStatus: number | null;
  responseBody: string | null;
}

/**
 * Claims the key for a request (RUNNING), in its own transaction, before the mutation runs: a
 * new key; one older than 24 hours (free again); or the same request's RUNNING claim abandoned
 * longer ago than `staleMs` (its instance died before committing anything: a late commit of
 * it is refused, markCommitted). Answers whether the claim is ours.
 */
export async function claimKey(db: Queryable, ref: KeyRef & { userId: string; requestHash: string; staleMs: number }): Promise<boolean> {
  const row = await queryOne<{ claimed: boolean }>(
    db,
    `INSERT INTO idempotency_keys AS k (caller_id, key, user_id, request_hash, state, claim_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'RUNNING', $5, now(), now())
     ON CONFLICT (caller_id, key) DO UPDATE
        SET user_id = EXCLUDED.user_id, request_hash = EXCLUDED.request_hash, state = 'RUNNING', claim_id = EXCLUDED.claim_id,
            response_status = NULL, response_body = NULL, created_at = now(), updated_at = now()
      WHERE k.created_at < now() - make_interval(hours => ${KEPT_HOURS})
         OR (k.state = 'RUNNING' AND k.request_hash = EXCLUDED.request_hash AND k.updated_at < now() - make_interval(secs => $6::double precision / 1000))
     RETURNING k.claim_id = $5 AS claimed`,
    [ref.callerId, ref.key, ref.userId, ref.requestHash, ref.claimId, ref.staleMs],
  );
  return row?.claimed === true;
}

/** The key's row as it stands (undefined: gone since, e.g. released after a server failure). */
export function readKey(db: Queryable, callerId: string, key: string, staleMs: number): Promise<KeyRecord | undefined> {
  return queryOne<KeyRecord>(
    db,
    `SELECT request_hash AS "requestHash", state, updated_at >= now() - make_interval(secs => $3::double precision / 1000) AS live,
            response_status AS "responseStatus", response_body AS "responseBody"
       FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND created_at >= now() - make_interval(hours => ${KEPT_HOURS})`,
    [callerId, key, staleMs],
  );
}

/** In the mutation's transaction: the mutation has happened (commits with it). False when the claim is no longer ours. */
export async function markCommitted(tx: Queryable, ref: KeyRef): Promise<boolean> {
  const rows = await queryRows(
    tx,
    `UPDATE idempotency_keys SET state = 'COMMITTED', updated_at = now()
      WHERE caller_id = $1 AND key = $2 AND claim_id = $3 AND state IN ('RUNNING', 'COMMITTED') RETURNING 1`,
    [ref.callerId, ref.key, ref.claimId],
  );
  return rows.length > 0;
}

/** The answer, for retries to replay. */
export async function storeAnswer(db: Queryable, ref: KeyRef, status: number, body: string): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET state = 'DONE', response_status = $4, response_body = $5, updated_at = now()
      WHERE caller_id = $1 AND key = $2 AND claim_id = $3`,
    [ref.callerId, ref.key, ref.claimId, status, body],
  );
}

/** Frees the key of a request that changed nothing and has no answer worth keeping (a server failure): a retry runs. */
export async function releaseKey(db: Queryable, ref: KeyRef): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND claim_id = $3 AND state = 'RUNNING'`, [ref.callerId, ref.key, ref.claimId]);
}

/** Deletes the rows older than 24 hours; answers how many. */
export async function deleteExpiredKeys(db: Queryable): Promise<number> {
  const rows = await queryRows(db, `${BACKGROUND} DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${KEPT_HOURS}) RETURNING 1`);
  return rows.length;
}
