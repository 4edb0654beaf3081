import { columnsOf } from '../../database/columns';
import { BACKGROUND, queryOne, queryRows, type Queryable } from '../../database/sql';
import type { JobStatus, JobType } from '../jobs/job.entity';
import { WebhookDeliveryEntity, type WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';
import type { Webhook } from './webhook.types';

/** The SQL of the webhooks module: webhooks, their deliveries, and what the sender claims. */

const WEBHOOK = columnsOf(WebhookEntity, 'w', { only: ['id', 'workspaceId', 'url', 'statuses', 'types', 'createdAt'] });
const DELIVERY = columnsOf(WebhookDeliveryEntity, 'd', {
  only: ['id', 'webhookId', 'seq', 'status', 'attempts', 'lastStatusCode', 'lastError', 'nextAttemptAt', 'deliveredAt'],
});

/** Since `ms` ago (or from now on, when negative), as SQL on a parameter. */
const ms = (param: string) => `make_interval(secs => ${param}::float8 / 1000)`;

// ---- The API ----------------------------------------------------------------------------

/**
 * Makes a webhook that takes the workspace's events from now on: its position is the log's
 * end, read under the workspace row's lock (so no event commits between that read and this
 * commit unseen); the lock also serialises creations, which keeps the cap per workspace.
 */
export async function insertWebhook(
  tx: Queryable,
  hook: { id: string; workspaceId: string; url: string; secret: string; statuses: string[]; types: string[]; createdBy: string },
): Promise<Webhook> {
  await tx.query(`SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE`, [hook.workspaceId]);
  const row = await queryOne<Webhook>(
    tx,
    `INSERT INTO webhooks AS w (id, workspace_id, url, secret, statuses, types, created_by, event_seq)
     SELECT $1, $2, $3, $4, $5::text[], $6::text[], $7, ws.last_event_seq FROM workspaces ws WHERE ws.id = $2
     RETURNING ${WEBHOOK}`,
    [hook.id, hook.workspaceId, hook.url, hook.secret, hook.statuses, hook.types, hook.createdBy],
  );
  return row!;
}

export async function webhookCount(tx: Queryable, workspaceId: string): Promise<number> {
  return (await queryOne<{ n: number }>(tx, `SELECT count(*)::int AS n FROM webhooks WHERE workspace_id = $1`, [workspaceId]))!.n;
}

/** Deletes a webhook and its deliveries (a sender holding one finds it gone and stops). */
export function deleteWebhookRow(tx: Queryable, id: string): Promise<{ workspaceId: string; url: string } | undefined> {
  return queryOne(tx, `DELETE FROM webhooks WHERE id = $1 RETURNING workspace_id AS "workspaceId", url`, [id]);
}


/** A workspace's webhooks, newest first. */
export function webhooksOf(db: Queryable, workspaceId: string): Promise<Webhook[]> {
  return queryRows<Webhook>(db, `SELECT ${WEBHOOK} FROM webhooks w WHERE w.workspace_id = $1 ORDER BY w.created_at DESC, w.id`, [workspaceId]);
}

export interface DeliveryRow {
  id: string;
  webhookId: string;
  seq: string | number;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/**
 * One page of deliveries (newest first, before the event `beforeSeq`) for each of several
 * webhooks, in one statement: `limit` rows each at most.
 */
export function deliveryPages(db: Queryable, webhookIds: readonly string[], beforeSeq: number | null, limit: number): Promise<DeliveryRow[]> {
  return queryRows<DeliveryRow>(
    db,
    `SELECT d.* FROM unnest($1::uuid[]) AS h(id)
       CROSS JOIN LATERAL (SELECT ${DELIVERY} FROM webhook_deliveries d
                            WHERE d.webhook_id = h.id AND ($2::bigint IS NULL OR d.seq < $2::bigint)
                            ORDER BY d.seq DESC LIMIT $3) d`,
    [webhookIds, beforeSeq, limit],
  );
}

// ---- The sender: from the log to deliveries -----------------------------------------------

export interface BehindWebhook {
  id: string;
  workspaceId: string;
  position: string | number;
  statuses: JobStatus[];
  types: JobType[];
}

/**
 * Webhooks whose workspace's log has grown past their position (in these workspaces, or in
 * any), locked for this transaction. It waits for a lock held elsewhere (another instance's
 * round, a sender recording an attempt) rather than skipping the webhook, which would leave
 * its new events until the next poll; once the lock is had the row is looked at again, so
 * a round that moved the position meanwhile leaves nothing to do twice. In id order: no
 * two rounds wait on each other in a circle.
 */
/** The workspaces that have a webhook (the sender's poll: which workspaces' events concern it). */
export async function workspacesWithWebhooks(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ workspaceId: string }>(db, `${BACKGROUND} SELECT DISTINCT workspace_id AS "workspaceId" FROM webhooks`);
  return rows.map((row) => row.workspaceId);
}

/** Whether any webhook (of these workspaces) is behind its workspace's event log: checked before taking locks, so an idle poll opens no transaction. */
export async function anyWebhookBehind(db: Queryable, workspaceIds: readonly string[] | null): Promise<boolean> {
  const row = await queryOne<{ behind: boolean }>(
    db,
    `${BACKGROUND} SELECT EXISTS (SELECT 1 FROM webhooks w JOIN workspaces ws ON ws.id = w.workspace_id
      WHERE ws.last_event_seq > w.event_seq AND ($1::uuid[] IS NULL OR w.workspace_id = ANY($1::uuid[]))) AS behind`,
    [workspaceIds],
  );
  return row?.behind === true;
}

export function lockWebhooksBehind(tx: Queryable, workspaceIds: readonly string[] | null, limit: number): Promise<BehindWebhook[]> {
  return queryRows<BehindWebhook>(
    tx,
    `SELECT w.id, w.workspace_id AS "workspaceId", w.event_seq AS position, w.statuses, w.types
       FROM webhooks w JOIN workspaces ws ON ws.id = w.workspace_id
      WHERE ws.last_event_seq > w.event_seq AND ($1::uuid[] IS NULL OR w.workspace_id = ANY($1::uuid[]))
      ORDER BY w.id LIMIT $2
      FOR UPDATE OF w`,
    [workspaceIds, limit],
  );
}

/** An event of the log with its job as it is now (the fields that do not change with the event). */
export interface EventWithJob {
  workspaceId: string;
  seq: string | number;
  jobId: string;
  jobType: JobType;
  jobUserId: string;
  status: JobStatus;
  progress: number;
  occurredAt: Date;
  projectId: string | null;
  datasetId: string | null;
  errorMessage: string | null;
  createdAt: Date | null;
  finishedAt: Date | null;
}

/** Up to `limit` events of each workspace after its position, oldest first, with their jobs. */
export function eventsAfter(db: Queryable, from: ReadonlyArray<{ workspaceId: string; after: number }>, limit: number): Promise<EventWithJob[]> {
  return queryRows<EventWithJob>(
    db,
    `SELECT e.workspace_id AS "workspaceId", e.seq, e.job_id AS "jobId", e.job_type AS "jobType", e.job_user_id AS "jobUserId",
            e.status, e.progress, e.occurred_at AS "occurredAt", j.project_id AS "projectId", j.dataset_id AS "datasetId",
            j.error_message AS "errorMessage", j.created_at AS "createdAt", j.finished_at AS "finishedAt"
       FROM unnest($1::uuid[], $2::bigint[]) AS f(ws, after)
       CROSS JOIN LATERAL (SELECT * FROM job_events e WHERE e.workspace_id = f.ws AND e.seq > f.after ORDER BY e.seq LIMIT $3) e
       LEFT JOIN jobs j ON j.id = e.job_id
      ORDER BY e.workspace_id, e.seq`,
    [from.map((f) => f.workspaceId), from.map((f) => f.after), limit],
  );
}

/** Writes deliveries (once per webhook and event) and moves positions; a webhook given new deliveries becomes due unless it already is. */
export async function recordDeliveries(
  tx: Queryable,
  deliveries: ReadonlyArray<{ webhookId: string; seq: number; body: string }>,
  positions: ReadonlyArray<{ webhookId: string; seq: number; added: boolean }>,
): Promise<void> {
  if (deliveries.length > 0) {
    await tx.query(
      `INSERT INTO webhook_deliveries (webhook_id, seq, body) SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[])
       ON CONFLICT (webhook_id, seq) DO NOTHING`,
      [deliveries.map((d) => d.webhookId), deliveries.map((d) => d.seq), deliveries.map((d) => d.body)],
    );
  }
  await tx.query(
    `UPDATE webhooks w SET event_seq = GREATEST(w.event_seq, p.seq), due_at = CASE WHEN p.added THEN COALESCE(w.due_at, now()) ELSE w.due_at END
       FROM unnest($1::uuid[], $2::bigint[], $3::bool[]) AS p(id, seq, added) WHERE w.id = p.id`,
    [positions.map((p) => p.webhookId), positions.map((p) => p.seq), positions.map((p) => p.added)],
  );
}

// ---- The sender: sending ----------------------------------------------------------------

export interface ClaimedWebhook {
  id: string;
  workspaceId: string;
  url: string;
  secret: string;
}

/**
 * Takes a lease on up to `limit` due webhooks (one sender per webhook: its deliveries go one
 * at a time, in order); an instance that dies holding one lets it go when the lease runs out.
 */
export function claimDueWebhooks(db: Queryable, limit: number, leaseMs: number, except: readonly string[]): Promise<ClaimedWebhook[]> {
  return queryRows<ClaimedWebhook>(
    db,
    `${BACKGROUND} UPDATE webhooks w SET due_at = now() + ${ms('$2')}
      WHERE w.id IN (SELECT id FROM webhooks WHERE due_at <= now() AND NOT (id = ANY($3::uuid[]))
                      ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING w.id, w.workspace_id AS "workspaceId", w.url, w.secret`,
    [limit, leaseMs, except],
  );
}

export interface HeadDelivery {
  id: string;
  seq: string | number;
  body: string;
  attempts: number;
  nextAttemptAt: Date;
  due: boolean;
}

/** A webhook's oldest pending delivery: the only one that may be sent (the others wait behind it). */
export function headDelivery(db: Queryable, webhookId: string): Promise<HeadDelivery | undefined> {
  return queryOne<HeadDelivery>(
    db,
    `SELECT d.id, d.seq, d.body, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.next_attempt_at <= now() AS due
       FROM webhook_deliveries d WHERE d.webhook_id = $1 AND d.status = 'PENDING' ORDER BY d.seq LIMIT 1`,
    [webhookId],
  );
}

/** Holds the webhook's row for the rest of the transaction; false when it was deleted. */
export async function lockWebhook(tx: Queryable, webhookId: string): Promise<boolean> {
  return (await queryRows(tx, `SELECT 1 FROM webhooks WHERE id = $1 FOR UPDATE`, [webhookId])).length > 0;
}

export type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string; retryInMs: number };

/**
 * Records an attempt of a delivery that is still pending with `attempts` attempts, and
 * answers the webhook's next pending delivery when this one is done with (DELIVERED, or
 * FAILED: a failure is retried after `retryInMs` unless the delivery is `giveUpAfterMs` old);
 * one statement, the sender's only one per delivery while deliveries queue up. Undefined
 * when nothing was recorded: the webhook was deleted, or another sender took it over.
 * `next` is null when nothing later is pending as this statement sees it (the sender then
 * looks again under the webhook's lock before letting it go).
 */
export async function recordAttempt(
  db: Queryable,
  webhookId: string,
  delivery: { id: string; attempts: number },
  outcome: AttemptOutcome,
  giveUpAfterMs: number,
): Promise<{ next: HeadDelivery | null } | undefined> {
  const [set, params] = outcome.ok
    ? [`status = 'DELIVERED', last_status_code = $4, last_error = NULL, next_attempt_at = NULL, delivered_at = now()`, [outcome.statusCode]]
    : [
        `last_status_code = $4, last_error = $5,
         status = CASE WHEN created_at + ${ms('$7')} <= now() THEN 'FAILED' ELSE 'PENDING' END,
         next_attempt_at = CASE WHEN created_at + ${ms('$7')} <= now() THEN NULL ELSE now() + ${ms('$6')} END`,
        [outcome.statusCode, outcome.error, outcome.retryInMs, giveUpAfterMs],
      ];
  const row = await queryOne<HeadDelivery & { recorded: string }>(
    db,
    `WITH done AS (UPDATE webhook_deliveries SET attempts = attempts + 1, ${set}
                    WHERE id = $1 AND status = 'PENDING' AND attempts = $2 RETURNING seq, status)
     SELECT done.status AS recorded, n.* FROM done LEFT JOIN LATERAL (
       SELECT d.id, d.seq, d.body, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.next_attempt_at <= now() AS due
         FROM webhook_deliveries d
        WHERE d.webhook_id = $3 AND d.status = 'PENDING' AND d.seq > done.seq AND done.status <> 'PENDING'
        ORDER BY d.seq LIMIT 1) n ON true`,
    [delivery.id, delivery.attempts, webhookId, ...params],
  );
  if (!row) return undefined;
  const { recorded: _recorded, ...next } = row;
  return { next: next.id == null ? null : next };
}

/** Keeps the webhook for its sender, who goes on with its next delivery. */
export async function extendLease(tx: Queryable, webhookId: string, leaseMs: number): Promise<void> {
  await tx.query(`UPDATE webhooks SET due_at = now() + ${ms('$2')} WHERE id = $1`, [webhookId, leaseMs]);
}

/** Lets the webhook go: due when its oldest pending delivery is (never, when none is pending). */
export async function releaseWebhook(tx: Queryable, webhookId: string): Promise<void> {
  await tx.query(
    `UPDATE webhooks w SET due_at = (SELECT d.next_attempt_at FROM webhook_deliveries d
                                      WHERE d.webhook_id = w.id AND d.status = 'PENDING' ORDER BY d.seq LIMIT 1)
      WHERE w.id = $1`,
    [webhookId],
  );
}

/** The earliest time any webhook is due (a sender sleeps until then, or its poll). */
export async function nextDueAt(db: Queryable): Promise<Date | null> {
  return (await queryOne<{ at: Date | null }>(db, `${BACKGROUND} SELECT min(due_at) AS at FROM webhooks`))?.at ?? null;
}
