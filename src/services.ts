import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Database } from './database/data-source';
import type { JobFeed } from './events/job-feed';
import type { Mailer } from './modules/mail/mailer';
import type { WebhookSender } from './modules/webhooks/webhook-sender';
import type { Authenticator } from './server/authentication';
import type { Connections } from './server/connections';
import type { Metrics } from './server/metrics';

/**
 * The app-wide singletons that requests share. Feature services are plain functions of the
 * request context (src/modules/<feature>/*.service.ts) and hold no state of their own.
 */
export interface Services {
  config: Config;
  log: Logger;
  database: Database;
  db: DataSource;
  authenticator: Authenticator;
  /** Sends the mail outbox after commit (invitations); started and stopped with the app. */
  mailer: Mailer;
  /** The Activity Center feed: job events to this instance's subscribers; started and stopped with the app. */
  jobFeed: JobFeed;
  /** Delivers job events to webhooks, woken by the feed's notifications; started and stopped with the app. */
  webhooks: WebhookSender;
  /** This instance's open WebSockets, closed when their credentials are taken away. */
  connections: Connections;
  /** This instance's Prometheus metrics (GET /metrics). */
  metrics: Metrics;
}
