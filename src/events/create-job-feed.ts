import type { Logger } from 'pino';
import type { Membership } from '../authorization/access';
import type { Config } from '../config';
import type { Database } from '../database/data-source';
import type { Context, Viewer } from '../server/context';
import { JobFeed, type FeedObserver } from './job-feed';
import { PGliteNotifier, PgNotifier, type JobNotifier, type Revocation } from './notifier';
import { ShapeRegistry } from './payload-shape';

/** The app's job feed, with the notifier that fits the database: LISTEN/NOTIFY on PostgreSQL, PGlite's listen embedded. */
export function createJobFeed(args: {
  database: Database;
  config: Pick<Config, 'jobEventRetentionMs' | 'jobFeedStallMs' | 'jobFeedPollMs' | 'limits' | 'database'>;
  log: Logger;
  contextFor: (viewer: Viewer, membership: Membership) => Context;
  onRevoked: (revocation: Revocation) => void;
  observer?: FeedObserver;
}): JobFeed {
  const { database, log, config } = args;
  const db = database.dataSource;
  let notifier: JobNotifier;
  if (database.kind === 'pglite') {
    notifier = new PGliteNotifier(database.pglite!, db);
  } else {
    const url = (db.options as { url?: string }).url;
    if (!url) throw new Error('the job feed needs the PostgreSQL URL for its LISTEN connection');
    notifier = new PgNotifier(url, db, log, {
      connectTimeoutMs: config.database.connectTimeoutMs,
      keepAliveMs: config.database.keepAliveMs,
      checkTimeoutMs: config.jobFeedStallMs,
    });
  }
  return new JobFeed({
    db,
    log,
    notifier,
    shapes: new ShapeRegistry(),
    contextFor: args.contextFor,
    onRevoked: args.onRevoked,
    retentionMs: config.jobEventRetentionMs,
    maxBufferedBytes: config.limits.wsMaxBufferedBytes,
    stallMs: config.jobFeedStallMs,
    pollMs: config.jobFeedPollMs,
    observer: args.observer,
  });
}
