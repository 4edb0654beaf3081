import pino from 'pino';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startService, type RunningService } from '../../src/bootstrap';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, testConfig, type GqlResult, type TestServer } from '../support/harness';
import { COMPLETE_JOB, REPORT_PROGRESS, START_JOB, createResource, eventCursor, seqOf, settle, subscribe, type Feed } from '../jobs/fixtures';

/**
 * The promise of the feed: a client that resumes with its last cursor has every event exactly
 * once, in order, across its own disconnects and a restart of the service.
 *
 * PostgreSQL: changes go through instance A; the client listens on instance B, which is
 * restarted midway. PGlite (one instance): the instance itself is restarted, writers included.
 */
const CHANGES = 1_000;
const WORKERS = 4;
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const FEED = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress job { id } } }`;
interface Event {
  cursor: string;
  status: string;
  progress: number;
  job: { id: string };
}

async function post(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult;
}

it(`delivers ${CHANGES} job changes exactly once, in order, across a disconnect and a restart (${onPostgres ? 'two instances' : 'one instance'})`, async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  const log = pino({ level: 'silent' });
  const config = testConfig({ RATE_LIMIT_POINTS: '0' });
  const clients: Client[] = [];
  let restarted: RunningService | null = null;

  // Where writes go, and where the client listens; both may move when an instance restarts.
  let writeUrl = server.url;
  let listener: RunningService = onPostgres ? await server.secondInstance() : server.service;
  const connect = (after: string): Feed<Event> => {
    const client = createClient({
      url: `ws://127.0.0.1:${listener.port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${admin.token}` },
    });
    clients.push(client);
    return subscribe<Event>(client, { workspaceId, after }, FEED);
  };

  // The writers: each runs jobs through start, 8 progress reports and completion.
  let done = 0;
  let failures = 0;
  const change = async (query: string, variables: Record<string, unknown>, alreadyDone: (r: GqlResult) => boolean): Promise<any> => {
    for (;;) {
      try {
        const result = await post(writeUrl, query, variables, admin.token);
        if (!result.errors || alreadyDone(result)) {
          done += 1;
          return result.data;
        }
        throw new Error(JSON.stringify(result.errors));
      } catch (error) {
        // The instance is restarting (PGlite): retry. A change that did commit before the cut
        // is harmless to repeat: the same progress changes nothing, a second completion is INVARIANT.
        if (++failures > 500) throw error;
        await settle(50);
      }
    }
  };
  const invariant = (r: GqlResult) => r.errors?.[0]?.extensions?.code === 'INVARIANT';
  const worker = async () => {
    while (done < CHANGES) {
      const data = await change(START_JOB, { input: { workspaceId, type: 'MODEL_TRAINING', projectId } }, () => false);
      const jobId = data.startJob.id;
      for (let i = 1; i <= 8 && done < CHANGES; i++) await change(REPORT_PROGRESS, { input: { jobId, progress: i / 10 } }, () => false);
      if (done < CHANGES) await change(COMPLETE_JOB, { jobId }, invariant);
    }
  };

  const start = await eventCursor(server, admin, workspaceId);
  const received: Event[] = [];
  const writers = Promise.all(Array.from({ length: WORKERS }, worker));

  // 1. Connected for the first quarter, then the client goes away.
  let feed = connect(start);
  await feed.until(CHANGES / 4, 60_000);
  feed.dispose();
  received.push(...feed.events);

  // 2. Away while a good part of the changes happen; then it resumes with its last cursor.
  while (done < CHANGES / 2) await settle(20);
  feed = connect(received[received.length - 1].cursor);
  await feed.until(50, 60_000);

  // 3. The instance it listens on restarts under it; it resumes again on the new one.
  const stopping = listener.close();
  await stopping;
  await feed.ended(10_000).catch(() => undefined);
  received.push(...feed.events);
  if (onPostgres) {
    listener = await server.secondInstance();
  } else {
    restarted = await startService(config, log, { database: server.database, host: '127.0.0.1' });
    listener = restarted;
    writeUrl = `http://127.0.0.1:${restarted.port}/graphql`;
  }
  feed = connect(received[received.length - 1].cursor);

  await writers;
  const log_ = (await server.db.query(
    `SELECT seq, job_id AS "jobId", status, progress FROM job_events WHERE workspace_id = $1 AND seq > $2 ORDER BY seq`,
    [workspaceId, seqOf(start)],
  )) as Array<{ seq: number; jobId: string; status: string; progress: number }>;
  expect(log_.length).toBeGreaterThanOrEqual(CHANGES);
  const missing = log_.length - received.length;
  await feed.until(missing, 60_000);
  await settle();
  received.push(...feed.events);

  expect(feed.errors).toEqual([]);
  // Exactly the log, in its order: none lost, none repeated.
  expect(received.map((e) => seqOf(e.cursor))).toEqual(log_.map((row) => Number(row.seq)));
  expect(received.map((e) => [e.job.id, e.status, e.progress])).toEqual(log_.map((row) => [row.jobId, row.status, row.progress]));

  await Promise.all(clients.map((c) => c.dispose()));
  if (restarted) await restarted.close();
}, 180_000);
