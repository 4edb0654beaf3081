import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { WebhookConfig } from '../../config';
import { eventCursor } from '../../events/job-event-log';
import {
  anyWebhookBehind,
  workspacesWithWebhooks,
  claimDueWebhooks,
  eventsAfter,
  extendLease,
  headDelivery,
  lockWebhook,
  lockWebhooksBehind,
  nextDueAt,
  recordAttempt,
  recordDeliveries,
  releaseWebhook,
  type AttemptOutcome,
  type BehindWebhook,
  type ClaimedWebhook,
  type EventWithJob,
  type HeadDelivery,
} from './webhooks.data';
import { signature, WebhookHttp } from './webhook-http';

/** The operator's settings (config.ts), and how much one instance takes on at once. */
export interface WebhookSenderOptions extends WebhookConfig {
  /** Webhooks sent to at once by this instance. */
  concurrency?: number;
  /** Events taken from the log per workspace and round. */
  pageSize?: number;
}

/**
 * Delivers job events to webhooks, from the durable event log (job_events) through rows in
 * the database, so that any instance picks up where any other left:
 *
 * 1. Enqueue: each webhook has a position in its workspace's log. Woken by the feed's
 *    notification (and a poll), a round locks the webhooks that are behind (one instance per
 *    webhook at a time), reads the events after their positions, writes a
 *    delivery with its final body for each event that passes the webhook's filters, and moves
 *    the positions, in one transaction.
 * 2. Send: a webhook with a pending delivery is due; an instance takes a lease on it (SKIP
 *    LOCKED again) and sends its oldest pending delivery, then the next, one at a time, so a
 *    webhook gets its events in cursor order. A 2xx makes the delivery DELIVERED (and it is
 *    never sent again); anything else is retried with exponential backoff and full jitter,
 *    until the delivery is `giveUpAfterMs` old (FAILED). An attempt is recorded only if the
 *    delivery is as the sender found it, so a sender whose lease ran out writes nothing.
 *
 * At least once: an instance that dies after the receiver's 2xx but before recording it sends
 * that delivery again; receivers drop duplicates by X-Delivery-Id.
 */
export class WebhookSender {
  private readonly http: WebhookHttp;
  private readonly concurrency: number;
  private readonly pageSize: number;
  /** A lease outlives an attempt: only an instance that died leaves one to run out. */
  private readonly leaseMs: number;
  private stopped = true;
  private poll: NodeJS.Timeout | undefined;
  private wakeAt: { timer: NodeJS.Timeout; at: number } | null = null;
  /** Workspaces whose log grew (null: look at all); the enqueue loop, when running. */
  private dirty: Set<string> | null = new Set();
  private enqueuing: Promise<void> | null = null;
  /**
   * The workspaces that have webhooks, as of the last poll (null: not read yet), plus those this
   * instance made one in since (kept until a poll confirms them): a job event of any other
   * workspace wakes nothing, so the feed's hot path costs no query. A webhook made on another
   * instance is woken there, and here from the next poll.
   */
  private hooked: Set<string> | null = null;
  private readonly madeHere = new Set<string>();
  private readonly workers = new Map<string, Promise<void>>();
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  readonly stats = { enqueued: 0, attempts: 0, delivered: 0 };

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly options: WebhookSenderOptions,
    /** Told of each attempt's outcome: the metrics. */
    private readonly onAttempt: (outcome: 'delivered' | 'error') => void = () => undefined,
  ) {
    this.http = new WebhookHttp({ allowPrivate: options.allowPrivate, timeoutMs: options.timeoutMs });
    this.concurrency = options.concurrency ?? 16;
    this.pageSize = options.pageSize ?? 500;
    this.leaseMs = options.timeoutMs + 30_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poll = setInterval(() => this.wake(null), this.options.pollMs);
    this.poll.unref();
    this.wake(null);
  }

  /** Stops taking work; waits for the attempts in flight (each bounded by the timeout) and records them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.poll);
    if (this.wakeAt) clearTimeout(this.wakeAt.timer);
    await Promise.allSettled([this.enqueuing, this.dispatching, ...this.workers.values()]);
    this.http.close();
  }

  /** A workspace's log has grown (null: look at every workspace). */
  wake(workspaceId: string | null): void {
    if (this.stopped) return;
    if (workspaceId !== null && this.hooked && !this.hooked.has(workspaceId)) return;
    if (workspaceId === null) this.dirty = null;
    else this.dirty?.add(workspaceId);
    if (!this.enqueuing) this.enqueuing = this.enqueueLoop().finally(() => (this.enqueuing = null));
    if (workspaceId === null) this.dispatch();
  }

  /** A webhook was made here in this workspace (after its commit): its events wake the sender at once. */
  madeIn(workspaceId: string): void {
    this.madeHere.add(workspaceId);
    this.hooked?.add(workspaceId);
  }

  // ---- Enqueue ------------------------------------------------------------------------------

  private async refreshHooked(): Promise<void> {
    const hooked = new Set(await workspacesWithWebhooks(this.db));
    for (const id of this.madeHere) {
      if (hooked.has(id)) this.madeHere.delete(id);
      else hooked.add(id); // made after the read began
    }
    this.hooked = hooked;
  }

  private async enqueueLoop(): Promise<void> {
    while (!this.stopped && (this.dirty === null || this.dirty.size > 0)) {
      const workspaces = this.dirty === null ? null : [...this.dirty];
      this.dirty = new Set();
      try {
        if (workspaces === null) await this.refreshHooked();
        let more = true;
        while (more && !this.stopped) {
          const { added, full } = await this.enqueueRound(workspaces);
          if (added > 0) this.dispatch();
          more = full;
        }
      } catch (error) {
        this.log.error({ err: error }, 'webhooks: taking events from the log failed; trying again on the next poll');
        return;
      }
    }
  }

  /** One transaction: webhooks behind, their events, the deliveries, the new positions. */
  private async enqueueRound(workspaceIds: string[] | null): Promise<{ added: number; full: boolean }> {
    const limit = 100;
    if (!(await anyWebhookBehind(this.db, workspaceIds))) return { added: 0, full: false };
    return this.db.transaction(async (tx) => {
      const hooks = await lockWebhooksBehind(tx, workspaceIds, limit);
      if (hooks.length === 0) return { added: 0, full: false };
      const from = new Map<string, number>();
      for (const h of hooks) from.set(h.workspaceId, Math.min(from.get(h.workspaceId) ?? Infinity, Number(h.position)));
      const events = await eventsAfter(tx, [...from].map(([workspaceId, after]) => ({ workspaceId, after })), this.pageSize);
      const byWorkspace = new Map<string, EventWithJob[]>();
      for (const e of events) byWorkspace.set(e.workspaceId, [...(byWorkspace.get(e.workspaceId) ?? []), e]);
      const deliveries: Array<{ webhookId: string; seq: number; body: string }> = [];
      const positions: Array<{ webhookId: string; seq: number; added: boolean }> = [];
      let full = hooks.length === limit;
      for (const hook of hooks) {
        const read = byWorkspace.get(hook.workspaceId) ?? [];
        if (read.length === this.pageSize) full = true;
        const position = Number(hook.position);
        let added = false;
        for (const event of read) {
          if (Number(event.seq) <= position || !matches(hook, event)) continue;
          deliveries.push({ webhookId: hook.id, seq: Number(event.seq), body: deliveryBody(event) });
          added = true;
        }
        const last = read.length > 0 ? Number(read[read.length - 1].seq) : position;
        positions.push({ webhookId: hook.id, seq: Math.max(position, last), added });
      }
      await recordDeliveries(tx, deliveries, positions);
      this.stats.enqueued += deliveries.length;
      return { added: deliveries.length, full };
    });
  }

  // ---- Send ---------------------------------------------------------------------------------

  /** Takes leases on due webhooks while this instance has room, and starts their senders. */
  private dispatch(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      do {
        this.dispatchAgain = false;
        const room = this.concurrency - this.workers.size;
        if (room <= 0) return;
        try {
          const claimed = await claimDueWebhooks(this.db, room, this.leaseMs, [...this.workers.keys()]);
          for (const hook of claimed) this.startWorker(hook);
          if (claimed.length === room) this.dispatchAgain = true;
          else await this.sleepUntilNextDue();
        } catch (error) {
          this.log.error({ err: error }, 'webhooks: claiming due webhooks failed; trying again on the next poll');
          return;
        }
      } while (this.dispatchAgain && !this.stopped);
    })().finally(() => (this.dispatching = null));
  }

  private startWorker(hook: ClaimedWebhook): void {
    const worker = this.sendAll(hook)
      .catch((error) => this.log.error({ err: error, webhookId: hook.id }, 'webhooks: sending failed; the lease runs out and it is tried again'))
      .finally(() => {
        this.workers.delete(hook.id);
        this.dispatch();
      });
    this.workers.set(hook.id, worker);
  }

  /**
   * Sends a webhook's pending deliveries in order while they are due, holding its lease: one
   * statement per delivery (record it, read the next); the webhook's row is locked only to let
   * it go, after looking once more for deliveries written meanwhile.
   */
  private async sendAll(hook: ClaimedWebhook): Promise<void> {
    let head: HeadDelivery | null | undefined = null;
    let leaseUntil = Date.now() + this.leaseMs;
    for (;;) {
      if (!head || !head.due || this.stopped) {
        head = await this.continueOrRelease(hook);
        if (!head) return;
        leaseUntil = Date.now() + this.leaseMs;
      }
      const outcome = await this.attempt(hook, head);
      const recorded = await recordAttempt(this.db, hook.id, head, outcome, this.options.giveUpAfterMs);
      if (!recorded) return; // deleted, or taken over by another sender
      head = recorded.next;
      if (head && Date.now() > leaseUntil - this.options.timeoutMs - 10_000) {
        await extendLease(this.db, hook.id, this.leaseMs);
        leaseUntil = Date.now() + this.leaseMs;
      }
    }
  }

  /** Under the webhook's lock: its next due delivery (the lease renewed), or none and the webhook let go (due when its head is). */
  private continueOrRelease(hook: ClaimedWebhook): Promise<HeadDelivery | undefined> {
    return this.db.transaction(async (tx) => {
      if (!(await lockWebhook(tx, hook.id))) return undefined; // deleted
      const head = await headDelivery(tx, hook.id);
      if (head?.due && !this.stopped) {
        await extendLease(tx, hook.id, this.leaseMs);
        return head;
      }
      await releaseWebhook(tx, hook.id);
      return undefined;
    });
  }

  private async attempt(hook: ClaimedWebhook, delivery: HeadDelivery): Promise<AttemptOutcome> {
    const cursor = eventCursor({ workspaceId: hook.workspaceId, seq: Number(delivery.seq) });
    this.stats.attempts += 1;
    const result = await this.http.post(hook.url, delivery.body, {
      'content-type': 'application/json',
      'x-signature-256': signature(hook.secret, delivery.body),
      'x-delivery-id': cursor,
    });
    if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
      this.stats.delivered += 1;
      this.onAttempt('delivered');
      return { ok: true, statusCode: result.statusCode };
    }
    this.onAttempt('error');
    const retryInMs = this.backoff(delivery.attempts + 1);
    const error = result.statusCode === null ? result.error : `the receiver answered ${result.statusCode}`;
    this.log.warn({ webhookId: hook.id, cursor, attempts: delivery.attempts + 1, error, retryInMs: Math.round(retryInMs) }, 'webhooks: delivery failed, will retry');
    return { ok: false, statusCode: result.statusCode, error, retryInMs };
  }

  /** Full jitter: anywhere from 0 to the exponential bound, so receivers coming back are not hit all at once. */
  private backoff(attempt: number): number {
    return Math.random() * Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  }

  /** A retry is due before the next poll: dispatch then. */
  private async sleepUntilNextDue(): Promise<void> {
    const at = await nextDueAt(this.db);
    if (!at || this.stopped) return;
    const when = Math.max(at.getTime(), Date.now() + 50);
    if (when - Date.now() >= this.options.pollMs) return;
    if (this.wakeAt && this.wakeAt.at <= when) return;
    if (this.wakeAt) clearTimeout(this.wakeAt.timer);
    const timer = setTimeout(() => {
      this.wakeAt = null;
      this.dispatch();
    }, when - Date.now());
    timer.unref();
    this.wakeAt = { timer, at: when };
  }
}

/** Empty filters take everything (progress events included). */
function matches(hook: BehindWebhook, event: EventWithJob): boolean {
  return (hook.statuses.length === 0 || hook.statuses.includes(event.status)) && (hook.types.length === 0 || hook.types.includes(event.jobType));
}

/** The JSON a delivery POSTs, written once: every attempt sends these bytes. The job is as of this event. */
export function deliveryBody(e: EventWithJob): string {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const seq = Number(e.seq);
  return JSON.stringify({
    cursor: eventCursor({ workspaceId: e.workspaceId, seq }),
    event: { status: e.status, progress: e.progress, occurredAt: iso(e.occurredAt) },
    job: {
      id: e.jobId,
      type: e.jobType,
      status: e.status,
      progress: e.progress,
      workspaceId: e.workspaceId,
      startedById: e.jobUserId,
      projectId: e.projectId,
      datasetId: e.datasetId,
      errorMessage: e.status === 'ERROR' ? e.errorMessage : null,
      createdAt: iso(e.createdAt),
      finishedAt: e.status === 'PROCESSING' ? null : iso(e.finishedAt),
    },
  });
}
