import type { Client as PgClient } from 'pg';
import type { Ack, Received, Subscriber } from './clients';

/** What the database holds after the run, against what the clients were told and received. */

export interface EventRow {
  seq: number;
  jobId: string;
  jobUserId: string;
  status: string;
  progress: number;
}

export async function readLog(db: PgClient, workspaceId: string): Promise<EventRow[]> {
  const { rows } = await db.query(
    `SELECT seq::int AS seq, job_id AS "jobId", job_user_id AS "jobUserId", status, progress FROM job_events WHERE workspace_id = $1 ORDER BY seq`,
    [workspaceId],
  );
  return rows;
}

/** Every acknowledged write is in the log exactly once: its job's event with that status and progress. */
export function lostWrites(acks: Ack[], log: EventRow[]): { lost: Ack[]; duplicated: number } {
  const count = new Map<string, number>();
  const keyOf = (jobId: string, status: string, progress: number) => `${jobId}|${status}|${progress}`;
  for (const e of log) count.set(keyOf(e.jobId, e.status, e.progress), (count.get(keyOf(e.jobId, e.status, e.progress)) ?? 0) + 1);
  const succeeded = new Set(log.filter((e) => e.status === 'SUCCESS').map((e) => e.jobId));
  const lost = acks.filter((a) => (a.kind === 'complete' ? !succeeded.has(a.jobId) : !count.has(keyOf(a.jobId, 'PROCESSING', a.progress))));
  // Progress only rises, so one job never has two events with the same status and progress: two are a write done twice.
  const duplicated = [...count.values()].filter((n) => n > 1).length;
  return { lost, duplicated };
}

export interface FeedCheck {
  expected: number;
  received: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  /** Received an event of a job it may not see. */
  foreign: number;
  exact: boolean;
}

/** The subscriber got exactly the log's events after its start, that it may see (ADMIN: all; others: their own jobs), in seq order. */
export function checkFeed(sub: Subscriber, startSeq: number, log: EventRow[]): FeedCheck {
  const visible = log.filter((e) => e.seq > startSeq && (sub.admin || e.jobUserId === sub.viewerUserId));
  const expectedSeqs = new Set(visible.map((e) => e.seq));
  const bySeq = new Map(log.map((e) => [e.seq, e]));
  const seen = new Set<number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let foreign = 0;
  let mismatched = 0;
  let last = -1;
  for (const r of sub.received) {
    if (seen.has(r.seq)) duplicated++;
    else if (r.seq < last) outOfOrder++;
    seen.add(r.seq);
    last = Math.max(last, r.seq);
    const row = bySeq.get(r.seq);
    if (!expectedSeqs.has(r.seq)) foreign++;
    else if (!row || row.jobId !== r.jobId || row.status !== r.status || row.progress !== r.progress) mismatched++;
  }
  const missing = [...expectedSeqs].filter((s) => !seen.has(s)).length;
  return {
    expected: visible.length,
    received: sub.received.length,
    missing,
    duplicated,
    outOfOrder,
    foreign: foreign + mismatched,
    exact: missing === 0 && duplicated === 0 && outOfOrder === 0 && foreign === 0 && mismatched === 0,
  };
}

/** The longest time a subscriber went without an event, within [from, to]. */
export function longestGap(received: Received[], from: number, to: number): number {
  let previous = from;
  let gap = 0;
  for (const r of received) {
    if (r.receivedAt < from || r.receivedAt > to) continue;
    gap = Math.max(gap, r.receivedAt - previous);
    previous = r.receivedAt;
  }
  return Math.max(gap, to - previous);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
