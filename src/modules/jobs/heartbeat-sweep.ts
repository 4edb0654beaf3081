import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { JobFeed } from '../../events/job-feed';
import { periodic, type Periodic } from '../../server/periodic';
import { recordChange } from '../common/mutation';
import { anySilentJob, failSilentJobs } from './jobs.data';

/** Jobs turned ERROR per transaction: a backlog goes in rounds, none holding many workspace locks for long. */
const BATCH = 100;

/**
 * Heartbeats: every instance sweeps, every HEARTBEAT_SWEEP_MS, the PROCESSING jobs whose worker
 * has not reported for their heartbeatSeconds. A job turns ERROR ("no report for N s") and its
 * event is appended to the log in the same transaction, exactly once across instances (SKIP
 * LOCKED); the feed (and whatever reads the log) is told after the commit.
 */
export function startHeartbeatSweep(options: { db: DataSource; jobFeed: JobFeed; log: Logger; everyMs: number }): Periodic {
  return periodic('heartbeat sweep', options.everyMs, options.log, () => sweepSilentJobs(options.db, options.jobFeed));
}

/** Turns every due job ERROR; answers how many. */
export async function sweepSilentJobs(db: DataSource, jobFeed: JobFeed): Promise<number> {
  let total = 0;
  // Most rounds find nothing: they open no transaction.
  if (!(await anySilentJob(db))) return 0;
  for (;;) {
    const { count, published } = await db.transaction(async (tx) => {
      const jobs = await failSilentJobs(tx, BATCH);
      const published = new Map<string, number>();
      // In (workspace, id) order: two sweeps take the workspace rows' locks in one order.
      for (const job of jobs) {
        const seq = await recordChange(tx, { result: null, jobEvents: [job] });
        if (seq !== null) published.set(job.workspaceId, seq);
      }
      return { count: jobs.length, published };
    });
    for (const [workspaceId, seq] of published) jobFeed.published(workspaceId, seq);
    total += count;
    if (count < BATCH) return total;
  }
}
