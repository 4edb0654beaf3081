import type { RunningService } from '../../src/bootstrap';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { COMPLETE_JOB, REPORT_PROGRESS, createResource, eventCursor, ok, settle, subscribe } from './fixtures';

/**
 * Safe retries: a mutation sent with an Idempotency-Key is done once per caller and key; a
 * retry gets the first answer. The case: a worker with a JOBS key runs a job end to end
 * with retried requests and no duplicate.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let server: TestServer;
let second: RunningService | undefined;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
  if (onPostgres) second = await server.secondInstance();
});
afterAll(() => server.close());

const START = `mutation($input: StartJobInput!) { startJob(input: $input) { id status apiKey { id name } folder { name uri } } }`;

interface Answer extends GqlResult {
  replayed: boolean;
}

/** POST /graphql with an Idempotency-Key (undefined: none), to this server or another instance. */
async function send(token: string, key: string | undefined, query: string, variables: Record<string, unknown>, port?: number): Promise<Answer> {
  const url = port ? `http://127.0.0.1:${port}/graphql` : server.url;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlResult;
  return { ...body, status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true' };
}

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
  const created = ok(
    await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name } } }`, {
      input: { workspaceId, name: 'importer', scopes: ['JOBS'] },
    }, admin.token),
  ).createApiKey;
  const input = { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'dashcam', folderUri: 's3://bucket/dashcam/', heartbeatSeconds: 60 };
  return { workspaceId, admin, datasetId, key: created.key as string, keyInfo: created.apiKey as { id: string; name: string }, input };
}

const jobCount = async (workspaceId: string) => (await server.db.query(`SELECT count(*)::int AS n FROM jobs WHERE workspace_id = $1`, [workspaceId]))[0].n;

describe('a worker with a JOBS key', () => {
  it('runs a job end to end with retried requests and no duplicate', async () => {
    const { workspaceId, admin, key, keyInfo, input } = await setup();
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: await eventCursor(server, admin, workspaceId) });

    // startJob; the worker's client times out before the answer and sends it again.
    const first = await send(key, 'start-1', START, { input });
    const job = ok(first).startJob;
    expect(job).toMatchObject({ status: 'PROCESSING', apiKey: keyInfo, folder: { name: 'dashcam', uri: 's3://bucket/dashcam/' } });
    expect(first.replayed).toBe(false);
    const retried = await send(key, 'start-1', START, { input });
    expect(retried).toEqual({ ...first, replayed: true });
    expect(await jobCount(workspaceId)).toBe(1);

    // A report, retried; then a completion, retried (run twice, the second would be INVARIANT).
    const report = await send(key, 'report-1', REPORT_PROGRESS, { input: { jobId: job.id, progress: 0.5 } });
    expect(ok(report).reportJobProgress).toMatchObject({ status: 'PROCESSING', progress: 0.5 });
    expect(await send(key, 'report-1', REPORT_PROGRESS, { input: { jobId: job.id, progress: 0.5 } })).toEqual({ ...report, replayed: true });
    const done = await send(key, 'complete-1', COMPLETE_JOB, { jobId: job.id });
    expect(ok(done).completeJob.status).toBe('SUCCESS');
    expect(await send(key, 'complete-1', COMPLETE_JOB, { jobId: job.id })).toEqual({ ...done, replayed: true });

    await feed.until(3);
    await settle();
    expect(feed.events.map((e) => [e.job.id, e.status, e.progress])).toEqual([
      [job.id, 'PROCESSING', 0],
      [job.id, 'PROCESSING', 0.5],
      [job.id, 'SUCCESS', 1],
    ]);
    const seen = ok(await server.gql(`query($id: ID!) { workspace(id: $id) { jobs { nodes { id apiKey { id name } lastReportAt finishedAt } } } }`, { id: workspaceId }, admin.token));
    expect(seen.workspace.jobs.nodes).toEqual([expect.objectContaining({ id: job.id, apiKey: keyInfo })]);
  });

  it('answers CONFLICT for the same key with another body, and does nothing', async () => {
    const { workspaceId, key, input } = await setup();
    ok(await send(key, 'k', START, { input }));
    for (const [query, variables] of [
      [START, { input: { ...input, folderName: 'other' } }],
      [START.replace('status', 'status progress'), { input }],
      [REPORT_PROGRESS, { input: { jobId: '00000000-0000-4000-8000-000000000000', progress: 0.1 } }],
    ] as const) {
      const res = await send(key, 'k', query, variables);
      expect(res.status).toBe(409);
      expect(res.errors![0].extensions).toMatchObject({ code: 'CONFLICT' });
      expect(res.errors![0].message).toMatch(/another request/);
    }
    expect(await jobCount(workspaceId)).toBe(1);
    // The same variables in another key order are the same body.
    const reordered = await send(key, 'k', START, { input: Object.fromEntries(Object.entries(input).reverse()) });
    expect(reordered.replayed).toBe(true);
  });

  it('does five concurrent duplicates once: the others replay or are CONFLICT in progress', async () => {
    const { workspaceId, key, input } = await setup();
    const answers = await Promise.all([0, 1, 2, 3, 4].map(() => send(key, 'burst', START, { input })));
    expect(await jobCount(workspaceId)).toBe(1);
    const ids = new Set(answers.filter((a) => a.data).map((a) => a.data.startJob.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.data && !a.replayed)).toHaveLength(1);
    for (const a of answers.filter((a) => !a.data)) {
      expect(a.errors![0].extensions).toMatchObject({ code: 'CONFLICT', inProgress: true });
      expect(a.errors![0].message).toMatch(/in progress: retry later/);
    }
    // Retried once the first is done, every one of them gets its answer.
    const later = await send(key, 'burst', START, { input });
    expect(later.replayed).toBe(true);
    expect(ids.has(later.data.startJob.id)).toBe(true);
  });

  (onPostgres ? it : it.skip)('holds across instances: a retry sent to another instance replays', async () => {
    const { workspaceId, key, input } = await setup();
    const first = await send(key, 'across', START, { input });
    const onB = await send(key, 'across', START, { input }, second!.port);
    expect(onB).toEqual({ ...first, replayed: true });
    const both = await Promise.all([0, 1, 2, 3].map((i) => send(key, 'across-burst', START, { input }, i % 2 ? second!.port : undefined)));
    expect(new Set(both.filter((a) => a.data).map((a) => a.data.startJob.id)).size).toBe(1);
    expect(await jobCount(workspaceId)).toBe(2);
  });

  it('frees a key after 24 hours', async () => {
    const { workspaceId, key, input } = await setup();
    const first = ok(await send(key, 'daily', START, { input })).startJob;
    await server.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = 'daily'`);
    const again = await send(key, 'daily', START, { input });
    expect(again.replayed).toBe(false);
    expect(again.data.startJob.id).not.toBe(first.id);
    expect(await jobCount(workspaceId)).toBe(2);
  });

  it('keys each caller apart: another key or the person with a JWT may use the same key', async () => {
    const { workspaceId, admin, key, input } = await setup();
    const other = ok(await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { workspaceId, name: 'b', scopes: ['JOBS'] } }, admin.token)).createApiKey.key;
    const ids = [];
    for (const token of [key, other, admin.token]) {
      const res = await send(token, 'shared', START, { input });
      expect(res.replayed).toBe(false);
      ids.push(ok(res).startJob.id);
    }
    expect(new Set(ids).size).toBe(3);
    const viaJwt = ok(await send(admin.token, 'shared', START, { input })).startJob;
    expect(viaJwt.apiKey).toBeNull(); // a JWT started it
  });

  it('keeps a client error as the answer, but not a server failure: a retry then runs', async () => {
    const { workspaceId, key, input } = await setup();
    // A client error is the answer: replayed as it was.
    const bad = await send(key, 'bad', START, { input: { ...input, heartbeatSeconds: 5 } });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.heartbeatSeconds' });
    expect(await send(key, 'bad', START, { input: { ...input, heartbeatSeconds: 5 } })).toEqual({ ...bad, replayed: true });
    // A failure of ours (here: the database refuses the insert) is not kept.
    await server.db.query(`CREATE FUNCTION refuse_jobs() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'down'; END $$ LANGUAGE plpgsql`);
    await server.db.query(`CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION refuse_jobs()`);
    try {
      const failed = await send(key, 'flaky', START, { input });
      expect(failed.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await server.db.query(`DROP TRIGGER refuse_jobs ON jobs; DROP FUNCTION refuse_jobs()`);
    }
    const retried = await send(key, 'flaky', START, { input });
    expect(retried.replayed).toBe(false);
    expect(ok(retried).startJob.status).toBe('PROCESSING');
    expect(await jobCount(workspaceId)).toBe(1);
  });

  it('never runs twice a mutation that committed but whose answer was lost, and takes over an abandoned claim', async () => {
    const { workspaceId, key, input } = await setup();
    ok(await send(key, 'lost', START, { input }));
    // Between the mutation's commit and storing its answer: a duplicate is told to retry later.
    await server.db.query(`UPDATE idempotency_keys SET state = 'COMMITTED', response_status = NULL, response_body = NULL WHERE key = 'lost'`);
    const meanwhile = await send(key, 'lost', START, { input });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.errors![0].extensions).toMatchObject({ code: 'CONFLICT', inProgress: true });
    // As if the instance died there: once the claim is stale, the answer was lost.
    await server.db.query(`UPDATE idempotency_keys SET updated_at = now() - interval '1 hour' WHERE key = 'lost'`);
    const res = await send(key, 'lost', START, { input });
    expect(res.status).toBe(409);
    expect(res.errors![0].extensions).toMatchObject({ code: 'CONFLICT', committed: true });
    expect(await jobCount(workspaceId)).toBe(1);
    // A claim whose instance died before committing anything, long ago: a retry runs.
    await server.db.query(`UPDATE idempotency_keys SET state = 'RUNNING', updated_at = now() - interval '1 hour' WHERE key = 'lost'`);
    await server.db.query(`DELETE FROM jobs WHERE workspace_id = $1`, [workspaceId]);
    const taken = await send(key, 'lost', START, { input });
    expect(taken.replayed).toBe(false);
    expect(ok(taken).startJob.status).toBe('PROCESSING');
  });

  it('ignores a key on a query and refuses a malformed key on a mutation with BAD_USER_INPUT', async () => {
    const { workspaceId, admin, key, input } = await setup();
    const query = `query($id: ID!) { workspace(id: $id) { id } }`;
    for (const k of ['q', '']) expect((await send(admin.token, k, query, { id: workspaceId })).data.workspace.id).toBe(workspaceId);
    for (const k of ['', 'x'.repeat(256), 'tab\there', 'caf\u00e9']) {
      const res = await send(key, k, START, { input });
      expect(res.status).toBe(400);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' });
    }
    ok(await send(key, 'x'.repeat(255), START, { input }));
    expect(await jobCount(workspaceId)).toBe(1);
    const [rows] = await server.db.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'q'`);
    expect(rows.n).toBe(0);
  });
});
