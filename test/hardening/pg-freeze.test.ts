import 'reflect-metadata';
import type pg from 'pg';
import pino from 'pino';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startService, type RunningService } from '../../src/bootstrap';
import { openDatabase } from '../../src/database/data-source';
import { isDatabaseTimeout } from '../../src/database/timeouts';
import { mintToken } from '../../src/dev-token';
import { seqOf, settle, subscribe, type Feed } from '../jobs/fixtures';
import { startFreezingProxy, type FreezingProxy } from '../support/freezing-proxy';
import { TEST_SECRET, freshDatabase, testConfig } from '../support/harness';
import { post, startLoad, type Request } from './freeze-load';

/**
 * The red team's case: established PostgreSQL connections stop answering (packets dropped both
 * ways, nothing closed) while new connections work. Queries must not wait forever: they time
 * out client-side and their connections are dropped; the job feed's loop and its LISTEN
 * connection start again and catch up from the log; /readyz tells the truth meanwhile.
 * PostgreSQL only: PGlite has no connections to freeze.
 */
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

const FEED = `subscription($workspaceId: ID!, $after: String) { jobEvents(workspaceId: $workspaceId, after: $after) { cursor progress job { id } } }`;
const QUERY_TIMEOUT_MS = 2_500;
const CONNECT_TIMEOUT_MS = 2_000;

onPostgres('PostgreSQL connections that stop answering', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const proxies: FreezingProxy[] = [];
  const proxy = async () => {
    const started = await startFreezingProxy(fresh.url);
    proxies.push(started);
    return started;
  };
  beforeAll(async () => {
    fresh = await freshDatabase({ migrated: true });
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await fresh?.database.close();
    await fresh?.drop();
  });

  it('drops a connection whose query timed out client-side instead of returning it to the pool; a full pool fails in time too', async () => {
    const through = await proxy();
    const db = await openDatabase({ url: through.url, poolSize: 2, queryTimeoutMs: 500, connectTimeoutMs: 1_000 });
    const pool = (db.dataSource.driver as unknown as { master: pg.Pool }).master;
    try {
      await db.dataSource.query('SELECT 1');
      expect(pool.totalCount).toBe(1);
      through.freeze();

      const started = Date.now();
      const error = await db.dataSource.query('SELECT 1').catch((e: unknown) => e);
      expect(isDatabaseTimeout(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_500);
      await settle(50);
      expect(pool.totalCount).toBe(0); // dropped, not back in the pool
      // A transaction on a new connection works, and one on a frozen one fails in time.
      expect(await db.dataSource.transaction((tx) => tx.query('SELECT 2 AS n'))).toEqual([{ n: 2 }]);
      through.freeze();
      const inTransaction = await db.dataSource.transaction((tx) => tx.query('SELECT 3')).catch((e: unknown) => e);
      expect(isDatabaseTimeout(inTransaction)).toBe(true);
      await settle(50);
      expect(pool.totalCount).toBe(0);

      // Both connections held: the next query waits connectTimeoutMs for one, then fails as a timeout.
      const held = [db.dataSource.createQueryRunner(), db.dataSource.createQueryRunner()];
      for (const runner of held) await runner.connect();
      const waited = await db.dataSource.query('SELECT 4').catch((e: unknown) => e);
      expect(isDatabaseTimeout(waited)).toBe(true);
      for (const runner of held) await runner.release();
    } finally {
      await through.close();
      await db.close();
    }
  });

  it('under load: requests answer UNAVAILABLE instead of hanging, the service recovers by itself, no acknowledged write or feed event is lost', async () => {
    const through = await proxy();
    const config = testConfig({
      DATABASE_URL: through.url,
      RATE_LIMIT_POINTS: '0',
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_KEEPALIVE_MS: '1000',
      FEED_STALL_MS: '1500',
      REQUEST_TIMEOUT_MS: '20000',
    });
    const service: RunningService = await startService(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { host: '127.0.0.1' });
    const clients: Client[] = [];
    try {
      const baseUrl = `http://127.0.0.1:${service.port}`;
      const token = await mintToken(TEST_SECRET, { sub: 'freeze|admin', email: 'admin@freeze.test' });
      const workspaceId = (await post(baseUrl, token, `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, { input: { name: 'Frozen' } })).data.createWorkspace.id;
      const projectId = (await post(baseUrl, token, `mutation($input: CreateResourceInput!) { createProject(input: $input) { id } }`, { input: { workspaceId, name: 'Frozen project' } })).data.createProject.id;
      const start: string = (await post(baseUrl, token, `query($id: ID!) { workspace(id: $id) { jobs(first: 0) { eventCursor } } }`, { id: workspaceId })).data.workspace.jobs.eventCursor;

      const feeds: Feed<{ cursor: string }>[] = [];
      for (let i = 0; i < 3; i++) {
        const client = createClient({ url: `ws://127.0.0.1:${service.port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
        clients.push(client);
        feeds.push(subscribe(client, { workspaceId, after: start }, FEED));
      }

      const t0 = Date.now();
      const now = () => Date.now() - t0;
      const load = startLoad({ baseUrl, token, workspaceId, projectId, workers: 4, pauseMs: 20, now });
      // How long the feed said it was not keeping up (what /readyz reads besides the database).
      const feedHealth = { unhealthyMs: 0, timer: setInterval(() => (feedHealth.unhealthyMs += service.services.jobFeed.healthy ? 0 : 50), 50) };
      await settle(3_000);
      const freezeAt = now();
      const frozen = through.freeze();
      await settle(15_000);
      await load.stop();
      clearInterval(feedHealth.timer);

      // The truth, read around the proxy.
      const db = fresh.database.dataSource;
      const log: Array<{ seq: number; jobId: string; progress: number }> = await db.query(
        `SELECT seq, job_id AS "jobId", progress FROM job_events WHERE workspace_id = $1 AND seq > $2 ORDER BY seq`,
        [workspaceId, seqOf(start)],
      );
      for (const feed of feeds) await feed.until(log.length, 20_000);
      await settle(500);

      const inLog = new Set(log.map((row) => `${row.jobId}:${row.progress}`));
      const acknowledged = load.requests.filter((r) => r.jobId);
      const lost = acknowledged.filter((r) => !inLog.has(`${r.jobId}:${r.progress}`));
      const before = load.requests.filter((r) => r.at + r.ms < freezeAt);
      const after = load.requests.filter((r) => r.at + r.ms >= freezeAt);
      const failed = after.filter((r) => !r.ok);
      const firstOk = Math.min(...after.filter((r) => r.ok && r.at >= freezeAt).map((r) => r.at + r.ms));
      const lastFailure = Math.max(freezeAt, ...failed.map((r) => r.at + r.ms));
      const readyAfter = load.readyz.filter((r) => r.at >= freezeAt);
      const first503 = readyAfter.find((r) => r.status !== 200);
      const lastNot200 = [...readyAfter].reverse().find((r) => r.status !== 200);
      const codes: Record<string, number> = {};
      for (const r of failed) codes[`${r.code} (${r.status ?? '-'})`] = (codes[`${r.code} (${r.status ?? '-'})`] ?? 0) + 1;
      const delivered = feeds.map((feed) => feed.events.map((e) => seqOf(e.cursor)));
      const figures = {
        frozenConnections: frozen,
        msToFirstSuccessAfterFreeze: firstOk - freezeAt,
        msToLastFailureAfterFreeze: lastFailure - freezeAt,
        requests: { beforeFreeze: before.length, afterFreeze: after.length, failedAfterFreeze: failed.length, codes },
        slowestMs: Math.max(...load.requests.map((r: Request) => r.ms)),
        readyz: {
          answers503: readyAfter.filter((r) => r.status === 503).length,
          msTo503: first503 ? first503.at - freezeAt : null,
          msBackTo200: lastNot200 ? lastNot200.at - freezeAt + 100 : null,
        },
        feedUnhealthyMs: feedHealth.unhealthyMs,
        writes: { acknowledged: acknowledged.length, lost: lost.length },
        events: { inLog: log.length, deliveredPerSubscriber: delivered.map((d) => d.length), lost: 0, duplicated: 0 },
        feedRestarts: service.services.jobFeed.stats.restarts,
      };
      const seqs = log.map((row) => row.seq);
      figures.events.lost = delivered.reduce((n, d) => n + seqs.filter((s) => !d.includes(s)).length, 0);
      figures.events.duplicated = delivered.reduce((n, d) => n + d.length - new Set(d).size, 0);
      console.log(`Established PostgreSQL connections frozen under load:\n${JSON.stringify(figures, null, 2)}`);

      expect(frozen).toBeGreaterThan(1); // the pool's and the LISTEN connection
      expect(before.filter((r) => !r.ok)).toEqual([]);
      expect(load.readyz.filter((r) => r.at + 200 < freezeAt).every((r) => r.status === 200)).toBe(true);
      // Stuck requests answered, in time, with the contract's code and 503.
      expect(failed.length).toBeGreaterThan(0);
      expect(Object.keys(codes)).toEqual(['UNAVAILABLE (503)']);
      expect(figures.slowestMs).toBeLessThan(QUERY_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 3_000);
      // Recovery without a restart, within a bound; then everything succeeds.
      expect(figures.msToFirstSuccessAfterFreeze).toBeLessThan(10_000);
      expect(figures.msToLastFailureAfterFreeze).toBeLessThan(12_000);
      expect(after.filter((r) => r.at > lastFailure).length).toBeGreaterThan(20);
      // /readyz said so while stuck, and is back.
      expect(first503).toBeDefined();
      expect(load.readyz[load.readyz.length - 1].status).toBe(200);
      expect(figures.feedUnhealthyMs).toBeGreaterThan(0);
      expect(service.services.jobFeed.healthy).toBe(true);
      // Nothing acknowledged is lost; every subscriber has every event once, in order.
      expect(acknowledged.length).toBeGreaterThan(100);
      expect(lost).toEqual([]);
      for (const feed of feeds) expect(feed.errors).toEqual([]);
      for (const d of delivered) expect(d).toEqual(seqs);
    } finally {
      await through.close(); // first: the service's stop would wait on frozen connections
      await Promise.all(clients.map((c) => c.dispose()));
      await service.close();
    }
  }, 90_000);
});
