import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AccessRecord } from './access-log';

/** Distinct operation names kept as labels; later ones share `other`, so a client cannot grow the label set. */
const MAX_OPERATION_NAMES = 200;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * This instance's Prometheus metrics (GET /metrics). One registry per service, not prom-client's
 * global one: tests run several instances in one process. What is counted where it happens
 * (operations, feed deliveries, webhook attempts) is incremented there; what is a state of the
 * moment (pool, sockets, the event log) is read when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();

  readonly operations = new Counter({
    name: 'wsapi_graphql_operations_total',
    help: 'GraphQL operations ended, by transport, type, operation name and outcome code (OK or the first error code).',
    labelNames: ['transport', 'type', 'operation', 'code'] as const,
    registers: [this.registry],
  });
  readonly operationSeconds = new Histogram({
    name: 'wsapi_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency (a subscription: its whole life).',
    labelNames: ['transport', 'type', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'wsapi_http_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'wsapi_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly rateLimitRefusals = new Counter({
    name: 'wsapi_rate_limit_refusals_total',
    help: 'Requests and connections refused by a rate limit.',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly feedLagSeconds = new Histogram({
    name: 'wsapi_feed_lag_seconds',
    help: "Job feed: from the event's transaction to its delivery to a subscriber's socket.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly feedDeliveries = new Counter({
    name: 'wsapi_feed_deliveries_total',
    help: 'Job feed: events sent to subscribers (one per subscriber and event).',
    registers: [this.registry],
  });
  readonly feedDropped = new Counter({
    name: 'wsapi_feed_slow_consumers_dropped_total',
    help: 'Job feed and WebSocket limits: sockets dropped for not reading fast enough.',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'wsapi_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome: delivered (a 2xx), error (another status, a timeout, no connection).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(probes: MetricProbes) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wsapi_' });
    const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(await read());
        },
      });
    gauge('wsapi_websocket_connections', 'Open WebSocket connections (signed in).', probes.webSockets);
    gauge('wsapi_feed_subscriptions', 'Job feed subscriptions on this instance.', probes.feedSubscriptions);
    gauge('wsapi_db_pool_in_use', 'Database connections in use (PostgreSQL; PGlite has one).', () => probes.pool().inUse);
    gauge('wsapi_db_pool_waiting', 'Queries waiting for a database connection.', () => probes.pool().waiting);
    const eventLog = new EventLogProbe(probes.eventLog);
    gauge('wsapi_event_log_rows', 'Rows in the durable job event log (an estimate on PostgreSQL).', async () => (await eventLog.read()).rows);
    gauge('wsapi_event_log_oldest_seconds', 'Age of the oldest retained job event (0: none).', async () => (await eventLog.read()).oldestSeconds);
  }

  /** An operation's name as a label: its own for the first names seen, else `other`. */
  operationLabel(name: string): string {
    if (name === 'anonymous' || this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /** One ended operation (the access line's record). */
  observe(record: AccessRecord): void {
    const operation = this.operationLabel(record.operation);
    this.operations.inc({ transport: record.transport, type: record.type, operation, code: record.code });
    this.operationSeconds.observe({ transport: record.transport, type: record.type, operation }, record.ms / 1000);
    if (record.code === 'RATE_LIMITED') this.rateLimitRefusals.inc({ transport: record.transport });
  }
}

export interface MetricProbes {
  webSockets(): number;
  feedSubscriptions(): number;
  pool(): { inUse: number; waiting: number };
  /** The event log's size and oldest event; read at most every few seconds. */
  eventLog(): Promise<{ rows: number; oldestSeconds: number }>;
}

/** Scrapes come every few seconds from each Prometheus: the event log is read at most once per 5 s. */
class EventLogProbe {
  private last: { at: number; value: Promise<{ rows: number; oldestSeconds: number }> } | null = null;
  constructor(private readonly read_: () => Promise<{ rows: number; oldestSeconds: number }>) {}
  read(): Promise<{ rows: number; oldestSeconds: number }> {
    if (!this.last || Date.now() - this.last.at > 5_000) {
      const value = this.read_().catch(() => ({ rows: 0, oldestSeconds: 0 }));
      this.last = { at: Date.now(), value };
    }
    return this.last.value;
  }
}

/** The route label of an HTTP request: a fixed set. */
export function routeOf(path: string): string {
  for (const route of ['/graphql', '/healthz', '/readyz', '/metrics', '/activity', '/invitations']) {
    if (path === route || path.startsWith(route + '/')) return route;
  }
  return 'other';
}

/** Counts every HTTP request by route and status, with its latency. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    const route = routeOf(req.path); // now: a mounted router rewrites req.path before the answer
    res.on('finish', () => {
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      metrics.httpSeconds.observe({ route }, (performance.now() - startedAt) / 1000);
    });
    next();
  };
}

/** GET /metrics in Prometheus' text format; with a token set, only for who sends it. */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req, res) => {
    const sent = Buffer.from(req.get('authorization') ?? '');
    if (expected && (sent.length !== expected.length || !timingSafeEqual(sent, expected))) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'METRICS_TOKEN required' });
      return;
    }
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
