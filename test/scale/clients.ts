import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The load's clients: feed subscribers that resume with their cursor, and workers that retry with their Idempotency-Key. */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The seq inside a feed cursor (the test's knowledge only: clients treat cursors as opaque). */
export function seqOf(cursor: string): number {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))[1];
}

export interface Received {
  seq: number;
  jobId: string;
  status: string;
  progress: number;
  occurredAt: number;
  receivedAt: number;
}

const FEED = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress occurredAt job { id } } }`;

/**
 * One dashboard: a graphql-ws client that retries every close (1012 and 1001 included) with a
 * short randomised wait; graphql-ws sends the same subscribe payload again on reconnect, so the
 * payload's `after` is moved to the last cursor received and the feed resumes with no gap.
 */
export class Subscriber {
  readonly received: Received[] = [];
  readonly errors: unknown[] = [];
  reconnects = 0;
  private readonly client: Client;
  private dispose: (() => void) | null = null;

  constructor(
    readonly viewerUserId: string,
    readonly admin: boolean,
    url: string,
    token: string,
    private readonly workspaceId: string,
    private readonly after: string,
  ) {
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 1_000,
      shouldRetry: () => true,
      retryWait: (retries) => sleep(100 + Math.random() * 150 * Math.min(retries + 1, 8)),
    });
    this.client.on('connected', (_socket, _payload, wasRetry) => {
      if (wasRetry) this.reconnects++;
    });
  }

  start(): void {
    const payload = { query: FEED, variables: { workspaceId: this.workspaceId, after: this.after } };
    this.dispose = this.client.subscribe<any>(payload, {
      next: (result) => {
        if (result.errors) {
          this.errors.push(result.errors);
          return;
        }
        const e = result.data.jobEvents;
        payload.variables.after = e.cursor;
        this.received.push({
          seq: seqOf(e.cursor),
          jobId: e.job.id,
          status: e.status,
          progress: e.progress,
          occurredAt: Date.parse(e.occurredAt),
          receivedAt: Date.now(),
        });
      },
      error: (error) => this.errors.push(error),
      complete: () => undefined,
    });
  }

  lastSeq(): number {
    return this.received.length ? this.received[this.received.length - 1].seq : -1;
  }

  async close(): Promise<void> {
    this.dispose?.();
    await this.client.dispose();
  }
}

/** What happened to one mutation: answered (data), done without its answer (CONFLICT committed), or given up. */
export type Outcome = { kind: 'ok'; data: any } | { kind: 'committed' } | { kind: 'gaveUp'; reason: string };

export interface AttemptLog {
  /** An attempt that failed on the way or on the service's side (network, 502/503/504, UNAVAILABLE), when it failed: retried. */
  failed(at: number, why: string): void;
  /** CONFLICT inProgress: the first attempt's claim is still held (its instance may have died). */
  waiting(at: number): void;
}

/**
 * POSTs a mutation with an Idempotency-Key, and sends the very same request again (same key,
 * same body) on a network error, a 5xx or UNAVAILABLE, and while the key's first request is in
 * progress, for up to `giveUpMs`.
 */
export async function mutate(url: string, token: string, query: string, variables: Record<string, unknown>, log: AttemptLog, giveUpMs = 30_000): Promise<Outcome> {
  const key = randomUUID();
  const body = JSON.stringify({ query, variables });
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) return { kind: 'gaveUp', reason: 'retried too long' };
    if (attempt > 0) await sleep(Math.min(50 * attempt, 500));
    let status: number;
    let json: any;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      const text = await res.text();
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    } catch (error) {
      log.failed(Date.now(), `network: ${(error as any).cause?.code ?? (error as Error).name}`);
      continue;
    }
    const first = json?.errors?.[0];
    const code: string | undefined = first?.extensions?.code;
    if (json?.data && !json.errors) return { kind: 'ok', data: json.data };
    if (code === 'CONFLICT' && first.extensions.inProgress) {
      log.waiting(Date.now());
      continue;
    }
    if (code === 'CONFLICT' && first.extensions.committed) return { kind: 'committed' };
    if (status >= 500 || code === 'UNAVAILABLE' || code === 'INTERNAL_SERVER_ERROR' || !json) {
      log.failed(Date.now(), `${status}${code ? ' ' + code : ''}`);
      continue;
    }
    return { kind: 'gaveUp', reason: `${status} ${code}: ${first?.message}` };
  }
}

export const START_JOB = `mutation($input: StartJobInput!) { startJob(input: $input) { id } }`;
export const REPORT = `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id progress } }`;
export const COMPLETE = `mutation($jobId: ID!) { completeJob(jobId: $jobId) { id status } }`;

/** A write the service acknowledged (or said it committed): it must be in the database. */
export interface Ack {
  kind: 'start' | 'report' | 'complete';
  jobId: string;
  progress: number;
  /** Acknowledged by CONFLICT committed (the answer was lost, the write was done). */
  byConflict: boolean;
}

export interface WorkerStats {
  acks: Ack[];
  gaveUp: Array<{ at: number; reason: string }>;
  failedAttempts: Array<{ at: number; why: string }>;
  inProgressWaits: number;
  reports: number;
  /** ms from sending a report to its answer, retries included. */
  reportMs: number[];
}

/**
 * One worker: starts a job on its project, reports its progress in `steps` rising steps at its
 * share of the rate, completes it, starts the next; until `until`. One mutation at a time.
 */
export async function runWorker(options: {
  url: string;
  key: string;
  workspaceId: string;
  projectId: string;
  perSecond: number;
  until: number;
  steps: number;
  stats: WorkerStats;
}): Promise<void> {
  const { url, key, stats } = options;
  const log: AttemptLog = {
    failed: (at, why) => stats.failedAttempts.push({ at, why }),
    waiting: () => stats.inProgressWaits++,
  };
  const interval = 1000 / options.perSecond;
  let nextAt = Date.now() + Math.random() * interval;
  const paced = async () => {
    const now = Date.now();
    if (nextAt > now) await sleep(nextAt - now);
    // Behind by more than a second (a retry took long): carry on at the rate, no burst to catch up.
    nextAt = Math.max(nextAt + interval, Date.now() - 1000);
  };
  const record = (outcome: Outcome, ack: Omit<Ack, 'byConflict'>): boolean => {
    if (outcome.kind === 'gaveUp') {
      stats.gaveUp.push({ at: Date.now(), reason: outcome.reason });
      return false;
    }
    stats.acks.push({ ...ack, byConflict: outcome.kind === 'committed' });
    return true;
  };
  while (Date.now() < options.until) {
    await paced();
    const started = await mutate(url, key, START_JOB, { input: { workspaceId: options.workspaceId, type: 'MODEL_TRAINING', projectId: options.projectId } }, log);
    // A start done without its answer has no id to report to: the job stays PROCESSING, and a new one starts.
    if (started.kind !== 'ok') {
      if (started.kind === 'gaveUp') stats.gaveUp.push({ at: Date.now(), reason: started.reason });
      continue;
    }
    const jobId: string = started.data.startJob.id;
    record(started, { kind: 'start', jobId, progress: 0 });
    let step = 1;
    for (; step <= options.steps && Date.now() < options.until; step++) {
      await paced();
      const progress = step / options.steps;
      const sent = Date.now();
      const outcome = await mutate(url, key, REPORT, { input: { jobId, progress } }, log);
      stats.reportMs.push(Date.now() - sent);
      stats.reports++;
      if (!record(outcome, { kind: 'report', jobId, progress })) break;
    }
    if (step > options.steps) {
      await paced();
      record(await mutate(url, key, COMPLETE, { jobId }, log), { kind: 'complete', jobId, progress: 1 });
    }
  }
}
