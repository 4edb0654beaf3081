import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/**
 * The channel every instance listens on. A payload is `<workspaceId>:<seq>` (a job event) or
 * `revoke:<json>` (credentials taken away: close their sockets), well under 8000 bytes.
 */
export const JOB_EVENTS_CHANNEL = 'workspace_job_events';
const REVOKE = 'revoke:';

/** Whose open connections must close: a person's (all of theirs, and their keys' in `workspaceId`), or one API key's. */
export type Revocation = { userId: string; workspaceId: string } | { apiKeyId: string };

export interface NotifierHandlers {
  /** A workspace's log has grown to `seq` (through this instance or another). */
  onEvent(workspaceId: string, seq: number): void;
  /** The listening connection came back after a loss: notifications may have been missed. */
  onResume(): void;
  /** Credentials were taken away (through this instance or another). */
  onRevoked?(revocation: Revocation): void;
}

/**
 * Wakes every instance when a job event commits (its statement sends the NOTIFY: job-event-log.ts): PostgreSQL LISTEN/NOTIFY on a dedicated
 * connection, or PGlite's own listen on the embedded database. Notifications carry no data,
 * only "look at the log": the log is the truth, so a lost one delays an event, never loses it.
 */
export interface JobNotifier {
  start(handlers: NotifierHandlers): Promise<void>;
  /** Tells every instance that credentials were taken away; after the commit. */
  revoked(revocation: Revocation): Promise<void>;
  stop(): Promise<void>;
  /** Whether notifications can arrive now (false while the LISTEN connection is down or being replaced). */
  readonly listening: boolean;
}

/** How the LISTEN connection is kept honest: bounds on connecting and on its checks, and how often it is checked. */
export interface ListenTiming {
  connectTimeoutMs: number;
  /** Silence before TCP keepalive probes it, and how often a round trip checks it. */
  keepAliveMs: number;
  /** A check (or the LISTEN itself) not answered by then: the connection is replaced. */
  checkTimeoutMs: number;
}

function parsePayload(payload: string | undefined): { workspaceId: string; seq: number } | null {
  if (!payload) return null;
  const at = payload.lastIndexOf(':');
  const seq = Number(payload.slice(at + 1));
  return at > 0 && Number.isSafeInteger(seq) ? { workspaceId: payload.slice(0, at), seq } : null;
}

async function sendNotify(db: DataSource, payload: string): Promise<void> {
  await db.query(`SELECT pg_notify($1, $2)`, [JOB_EVENTS_CHANNEL, payload]);
}

/** For a process without a feed (the command-line tool): tell the instances that credentials were taken away. */
export function notifyRevoked(db: DataSource, revocation: Revocation): Promise<void> {
  return sendNotify(db, REVOKE + JSON.stringify(revocation));
}

/** Hands one notification's payload to the handler it is for. */
function dispatch(handlers: NotifierHandlers | null, payload: string | undefined): void {
  if (payload?.startsWith(REVOKE)) {
    try {
      handlers?.onRevoked?.(JSON.parse(payload.slice(REVOKE.length)) as Revocation);
    } catch {
      // not one of ours
    }
    return;
  }
  const parsed = parsePayload(payload);
  if (parsed) handlers?.onEvent(parsed.workspaceId, parsed.seq);
}

/**
 * PostgreSQL: one pg.Client per instance, outside the pool (a pooler in transaction mode would
 * not keep a LISTEN), that reconnects by itself with backoff; after a reconnect the feed
 * catches up from the log (onResume). NOTIFY goes through the pool. A connection that stops
 * answering without closing (packets dropped) looks alive to a listener, which only waits:
 * so every keepAliveMs a round trip checks it, and one not answered in time replaces it.
 */
export class PgNotifier implements JobNotifier {
  private client: pg.Client | null = null;
  private handlers: NotifierHandlers | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private check: NodeJS.Timeout | null = null;
  private checking = false;
  private failures = 0;

  constructor(
    private readonly url: string,
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly timing: ListenTiming,
    private readonly applicationName = 'workspace-api-listen',
  ) {}

  async start(handlers: NotifierHandlers): Promise<void> {
    this.handlers = handlers;
    await this.connect();
    this.check = setInterval(() => this.roundTrip(), this.timing.keepAliveMs);
    this.check.unref();
  }

  revoked(revocation: Revocation): Promise<void> {
    return notifyRevoked(this.db, revocation);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.check) clearInterval(this.check);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  /** Whether the LISTEN connection is up (for tests and health). */
  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: this.applicationName,
      connectionTimeoutMillis: this.timing.connectTimeoutMs,
      query_timeout: this.timing.checkTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: this.timing.keepAliveMs,
    });
    client.on('notification', (message) => {
      if (message.channel === JOB_EVENTS_CHANNEL) dispatch(this.handlers, message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_EVENTS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
  }

  /** The periodic check: a query on the LISTEN connection itself, bounded by query_timeout. */
  private roundTrip(): void {
    const client = this.client;
    if (!client || this.checking) return;
    this.checking = true;
    client
      .query('SELECT 1')
      .catch((error: Error) => this.lost(client, error))
      .finally(() => (this.checking = false));
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return; // not (or no longer) the live connection
    this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.log.warn({ err: error }, 'job feed: lost the LISTEN connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const delay = Math.min(100 * 2 ** this.failures, 5_000);
    this.retry = setTimeout(async () => {
      this.retry = null;
      try {
        await this.connect();
        if (this.stopped) return;
        this.log.info('job feed: LISTEN connection back; catching up from the log');
        this.handlers?.onResume();
      } catch (error) {
        this.failures += 1;
        this.log.warn({ err: error, failures: this.failures }, 'job feed: reconnecting the LISTEN connection failed');
        this.scheduleReconnect();
      }
    }, delay);
    this.retry.unref();
  }
}

/**
 * PGlite: the same interface through PGlite's own listen. PGlite is one session that the
 * DataSource's pool hands out one holder at a time, and PGlite's listen() runs LISTEN on it
 * directly; so LISTEN and UNLISTEN run while holding the session, never in someone's transaction.
 */
export class PGliteNotifier implements JobNotifier {
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly pglite: PGlite,
    private readonly db: DataSource,
  ) {}

  async start(handlers: NotifierHandlers): Promise<void> {
    this.unlisten = await this.holdingSession(() =>
      this.pglite.listen(JOB_EVENTS_CHANNEL, (payload) => dispatch(handlers, payload)),
    );
  }

  revoked(revocation: Revocation): Promise<void> {
    return notifyRevoked(this.db, revocation);
  }

  get listening(): boolean {
    return this.unlisten !== null;
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten && !this.pglite.closed && this.db.isInitialized) await this.holdingSession(() => unlisten());
  }

  private async holdingSession<T>(fn: () => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      return await fn();
    } finally {
      await runner.release();
    }
  }
}
