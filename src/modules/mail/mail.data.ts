import { queryRows, type Queryable } from '../../database/sql';

/** The SQL of the mail outbox. */

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text. */
  body: string;
}

/**
 * Queues mail in the transaction that causes it (the outbox pattern): it is written if and
 * only if the change commits, and the Mailer sends it after commit, retrying on failure, so a
 * mail server that is down never undoes the change.
 */
export async function enqueueMail(tx: Queryable, mails: OutgoingMail[]): Promise<void> {
  if (mails.length === 0) return;
  await tx.query(
    `INSERT INTO outbox_mail (to_address, subject, body) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [mails.map((m) => m.to), mails.map((m) => m.subject), mails.map((m) => m.body)],
  );
}

export interface OutboxRow {
  id: number;
  to: string;
  subject: string;
  body: string;
  attempts: number;
}

/** Claims up to `limit` due mails for `leaseMs` (another sender skips them meanwhile), counting the attempt. */
export function claimDueMail(db: Queryable, limit: number, leaseMs: number, maxAttempts: number): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    db,
    `UPDATE outbox_mail SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
      WHERE id IN (SELECT id FROM outbox_mail
                    WHERE sent_at IS NULL AND next_attempt_at <= now() AND attempts < $3
                    ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, to_address AS "to", subject, body, attempts`,
    [limit, leaseMs, maxAttempts],
  );
}

export async function mailFailed(db: Queryable, id: number, error: string, retryInMs: number): Promise<void> {
  await db.query(`UPDATE outbox_mail SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1`, [id, error, retryInMs]);
}

export async function mailSent(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE outbox_mail SET sent_at = now(), last_error = NULL WHERE id = $1`, [id]);
}
