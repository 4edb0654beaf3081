import type { EntityManager } from 'typeorm';

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
export async function enqueueMail(tx: EntityManager, mails: OutgoingMail[]): Promise<void> {
  if (mails.length === 0) return;
  await tx.query(
    `INSERT INTO outbox_mail (to_address, subject, body) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [mails.map((m) => m.to), mails.map((m) => m.subject), mails.map((m) => m.body)],
  );
}
