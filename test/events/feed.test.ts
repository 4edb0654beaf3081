import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import {
  COMPLETE_JOB,
  assign,
  changeRole,
  createResource,
  eventCursor,
  firstError,
  ok,
  progress,
  removeUser,
  seqOf,
  settle,
  started,
  subscribe,
} from '../jobs/fixtures';

/**
 * The Activity Center feed through graphql-ws, on one instance (PGlite or PostgreSQL):
 * replay then live with no gap and no duplicate, visibility per event, filters, cursors.
 * Two instances: instances.test.ts.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  return { workspaceId, admin, projectId };
}

describe('jobEvents', () => {
  it('replays the events after a cursor, then goes live, each once and in order', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, admin, workspaceId);
    ok(await progress(server, admin, job.id, 0.25));
    ok(await progress(server, admin, job.id, 0.5));
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: cursor });
    await feed.until(2);
    ok(await progress(server, admin, job.id, 0.75));
    ok(await server.gql(COMPLETE_JOB, { jobId: job.id }, admin.token));
    const events = await feed.until(4);
    expect(feed.errors).toEqual([]);
    expect(events.map((e) => [e.status, e.progress])).toEqual([
      ['PROCESSING', 0.25],
      ['PROCESSING', 0.5],
      ['PROCESSING', 0.75],
      ['SUCCESS', 1],
    ]);
    const seqs = events.map((e) => seqOf(e.cursor));
    expect(seqs).toEqual([seqOf(cursor) + 1, seqOf(cursor) + 2, seqOf(cursor) + 3, seqOf(cursor) + 4]);
    // `job` is the job as it is now; status and progress are the event's.
    expect(events[0].job).toMatchObject({ id: job.id, type: 'MODEL_TRAINING', user: { id: admin.id } });
    await settle();
    expect(feed.events).toHaveLength(4);
  });

  it('replays a long backlog page by page while subscribers who are caught up stay live', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const feedService = server.service.services.jobFeed as unknown as { pageSize: number };
    const pageSize = feedService.pageSize;
    feedService.pageSize = 4; // pages of 4 events, to go through many pages with few events
    try {
      const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
      const old = await eventCursor(server, admin, workspaceId);
      for (let i = 1; i <= 30; i++) ok(await progress(server, admin, job.id, i / 100));
      const recent = await eventCursor(server, admin, workspaceId);
      const live = subscribe(server.ws(admin.token), { workspaceId, after: recent });
      const replaying = subscribe(server.ws(admin.token), { workspaceId, after: old });
      for (let i = 31; i <= 40; i++) ok(await progress(server, admin, job.id, i / 100));
      await live.until(10);
      await replaying.until(40);
      await settle();
      expect(live.errors).toEqual([]);
      expect(replaying.errors).toEqual([]);
      expect(live.events.map((e) => e.progress)).toEqual(Array.from({ length: 10 }, (_, i) => (31 + i) / 100));
      expect(replaying.events.map((e) => e.progress)).toEqual(Array.from({ length: 40 }, (_, i) => (1 + i) / 100));
    } finally {
      feedService.pageSize = pageSize;
    }
  });

  it('without a cursor starts with the next change', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    const before = server.service.services.jobFeed.size;
    const feed = subscribe(server.ws(admin.token), { workspaceId });
    for (let i = 0; server.service.services.jobFeed.size === before; i++) {
      if (i > 100) throw new Error('the subscription never registered');
      await settle(20);
    }
    ok(await progress(server, admin, job.id, 0.1));
    const [event] = await feed.until(1);
    expect(event).toMatchObject({ status: 'PROCESSING', progress: 0.1, job: { id: job.id } });
    await settle();
    expect(feed.events).toHaveLength(1);
  });

  it('loses and repeats nothing when changes keep coming while it subscribes', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, admin, workspaceId);
    let stop = false;
    const writer = (async () => {
      let n = 0;
      while (!stop && n < 80) ok(await progress(server, admin, job.id, ++n / 100));
      return n;
    })();
    await settle(50);
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: cursor });
    await feed.until(5);
    stop = true;
    const written = await writer;
    const events = await feed.until(written);
    await settle();
    expect(feed.errors).toEqual([]);
    expect(events.map((e) => e.progress)).toEqual(Array.from({ length: written }, (_, i) => (i + 1) / 100));
  });

  it('filters by type and status on the server', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const cursor = await eventCursor(server, admin, workspaceId);
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: cursor, filter: { types: ['LABEL_IMPORT'], statuses: ['SUCCESS', 'ERROR'] } });
    const training = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const labels = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    ok(await server.gql(COMPLETE_JOB, { jobId: training.id }, admin.token));
    ok(await progress(server, admin, labels.id, 0.5));
    ok(await server.gql(COMPLETE_JOB, { jobId: labels.id }, admin.token));
    const events = await feed.until(1);
    await settle();
    expect(feed.events.map((e) => [e.job.id, e.status])).toEqual([[labels.id, 'SUCCESS']]);
    expect(events[0].job.type).toBe('LABEL_IMPORT');
  });

  it('shows a TASKER only their own jobs', async () => {
    const { workspaceId, admin } = await setup();
    const tasker = await addMember(server, workspaceId, 'TASKER');
    const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
    await assign(server, admin, workspaceId, tasker, 'DATASET', datasetId, 'ADMIN');
    const cursor = await eventCursor(server, tasker, workspaceId);
    const feed = subscribe(server.ws(tasker.token), { workspaceId, after: cursor });
    const others = await started(server, admin, { workspaceId, type: 'DATA_IMPORT', datasetId });
    const own = await started(server, tasker, { workspaceId, type: 'DATA_IMPORT', datasetId });
    ok(await progress(server, admin, others.id, 0.5));
    ok(await progress(server, tasker, own.id, 0.5));
    await feed.until(2);
    await settle();
    expect(feed.events.map((e) => [e.job.id, e.job.user.id])).toEqual([
      [own.id, tasker.id],
      [own.id, tasker.id],
    ]);
  });

  it('stops showing others\' jobs to an ADMIN who stepped down to MEMBER, from the next event on', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const other = await addMember(server, workspaceId, 'ADMIN');
    await assign(server, admin, workspaceId, other, 'PROJECT', projectId, 'ADMIN');
    const cursor = await eventCursor(server, other, workspaceId);
    const feed = subscribe(server.ws(other.token), { workspaceId, after: cursor });
    const adminsJob = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    await feed.until(1);
    expect(feed.events[0].job.id).toBe(adminsJob.id);
    await changeRole(server, other, workspaceId, other, 'MEMBER'); // an ADMIN's role is taken only by themselves
    ok(await progress(server, admin, adminsJob.id, 0.3));
    const own = await started(server, other, { workspaceId, type: 'MODEL_TRAINING', projectId });
    await feed.until(2);
    await settle();
    expect(feed.events.map((e) => e.job.id)).toEqual([adminsJob.id, own.id]);
    expect(feed.completed).toBe(false);
  });

  it('ends the feed of a removed member: their socket closes (4401), and their job was cancelled by the remover', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const member = await addMember(server, workspaceId, 'MEMBER');
    await assign(server, admin, workspaceId, member, 'PROJECT', projectId, 'TEAM_MANAGER');
    const own = await started(server, member, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, member, workspaceId);
    // The feed's own access check may end the subscription before the socket closes: the client
    // keeps its socket open meanwhile (no lazy close), so the close code seen is the service's.
    let closedWith: (code: number) => void;
    const closed = new Promise<number>((resolve) => (closedWith = resolve));
    const client = server.ws(member.token, { lazyCloseTimeout: 60_000, on: { closed: (event) => closedWith((event as { code: number }).code) } });
    const feed = subscribe(client, { workspaceId, after: cursor });
    ok(await progress(server, member, own.id, 0.2));
    await feed.until(1);
    await removeUser(server, admin, workspaceId, member);
    await feed.ended();
    expect(await closed).toBe(4401);
    expect(feed.events[0].progress).toBe(0.2);
    expect(feed.events.every((e) => e.job.id === own.id)).toBe(true); // at most their own job's CANCELLED, nothing of anyone else's
    const [job] = await server.db.query(`SELECT status, cancelled_by FROM jobs WHERE id = $1`, [own.id]);
    expect(job).toEqual({ status: 'CANCELLED', cancelled_by: admin.id });
  });
});

describe('jobEvents payloads', () => {
  const SHARED = `subscription($workspaceId: ID!, $after: String) { jobEvents(workspaceId: $workspaceId, after: $after) {
    cursor status job { id user { email } project { name } } } }`;
  const OTHER = `subscription($workspaceId: ID!, $after: String) { feed: jobEvents(workspaceId: $workspaceId, after: $after) { progress job { type } } }`;
  const PER_VIEWER = `subscription($workspaceId: ID!, $after: String) { jobEvents(workspaceId: $workspaceId, after: $after) { job { project { name viewerRole } } } }`;
  const WITH_VARIABLE = `subscription($workspaceId: ID!, $after: String, $withJob: Boolean!) {
    jobEvents(workspaceId: $workspaceId, after: $after) { status job @include(if: $withJob) { id } } }`;

  /** Subscribes every (person, query, variables) and waits until the feed holds them all. */
  async function subscribeAll(workspaceId: string, after: string, list: Array<[{ token: string }, string, Record<string, unknown>?]>) {
    const feed = server.service.services.jobFeed;
    const before = feed.size;
    const feeds = list.map(([person, query, vars]) => subscribe<any>(server.ws(person.token), { workspaceId, after, ...vars }, query));
    for (let i = 0; feed.size < before + list.length; i++) {
      if (i > 200) throw new Error('subscriptions never registered');
      await settle(20);
    }
    return feeds;
  }

  it('executes an event once per distinct selection for every ADMIN, and delivers each its own shape', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const second = await addMember(server, workspaceId, 'ADMIN');
    const cursor = await eventCursor(server, admin, workspaceId);
    const feeds = await subscribeAll(workspaceId, cursor, [
      [admin, SHARED],
      [admin, SHARED],
      [second, SHARED],
      [second, OTHER],
    ]);
    const renders = server.service.services.jobFeed.stats.renders;
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    for (const feed of feeds) await feed.until(1);
    expect(server.service.services.jobFeed.stats.renders - renders).toBe(2);
    for (const feed of feeds.slice(0, 3)) {
      expect(feed.events[0]).toEqual({ cursor: expect.any(String), status: 'PROCESSING', job: { id: job.id, user: { email: admin.email }, project: { name: expect.any(String) } } });
    }
    expect(feeds[3].errors).toEqual([]);
    expect(feeds[3].events[0]).toEqual({ feed: { progress: 0, job: { type: 'MODEL_TRAINING' } } }); // its alias too
  });

  it('executes per viewer a selection whose value depends on who looks', async () => {
    const { workspaceId, admin, projectId } = await setup(); // admin made the project: its ADMIN
    const second = await addMember(server, workspaceId, 'ADMIN'); // no role on it
    const cursor = await eventCursor(server, admin, workspaceId);
    const [mine, theirs] = await subscribeAll(workspaceId, cursor, [
      [admin, PER_VIEWER],
      [second, PER_VIEWER],
    ]);
    await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    expect((await mine.until(1))[0].job.project.viewerRole).toBe('ADMIN');
    expect((await theirs.until(1))[0].job.project.viewerRole).toBeNull();
  });

  it('keeps apart subscriptions whose variables change the selection', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const cursor = await eventCursor(server, admin, workspaceId);
    const [withJob, without] = await subscribeAll(workspaceId, cursor, [
      [admin, WITH_VARIABLE, { withJob: true }],
      [admin, WITH_VARIABLE, { withJob: false }],
    ]);
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    expect((await withJob.until(1))[0]).toEqual({ status: 'PROCESSING', job: { id: job.id } });
    expect((await without.until(1))[0]).toEqual({ status: 'PROCESSING' });
  });

  it('keeps apart the same selection under variables with other defaults', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const cursor = await eventCursor(server, admin, workspaceId);
    const query = (fallback: boolean) => `subscription($workspaceId: ID!, $after: String, $withJob: Boolean = ${fallback}) {
      jobEvents(workspaceId: $workspaceId, after: $after) { status job @include(if: $withJob) { id } } }`;
    const [withJob, without] = await subscribeAll(workspaceId, cursor, [
      [admin, query(true)],
      [admin, query(false)],
    ]);
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    expect((await withJob.until(1))[0]).toEqual({ status: 'PROCESSING', job: { id: job.id } });
    expect((await without.until(1))[0]).toEqual({ status: 'PROCESSING' });
  });

  it("hides a job's project from its starter once they lose their role on it", async () => {
    const { workspaceId, admin, projectId } = await setup();
    const member = await addMember(server, workspaceId, 'MEMBER');
    await assign(server, admin, workspaceId, member, 'PROJECT', projectId, 'TEAM_MANAGER');
    const job = await started(server, member, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, member, workspaceId);
    const [theirs, admins] = await subscribeAll(workspaceId, cursor, [
      [member, SHARED],
      [admin, SHARED],
    ]);
    ok(await server.gql(`mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`, {
      input: { workspaceId, userId: member.id, resourceType: 'PROJECT', resourceId: projectId },
    }, admin.token));
    ok(await progress(server, member, job.id, 0.5));
    expect((await theirs.until(1))[0].job.project).toBeNull();
    expect((await admins.until(1))[0].job.project).not.toBeNull();
  });
});

describe('jobEvents with an API key', () => {
  it('ends when the key is revoked: its socket closes (4401)', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const made = ok(await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`, {
      input: { workspaceId, name: 'dashboard' },
    }, admin.token)).createApiKey;
    const cursor = await eventCursor(server, admin, workspaceId);
    const feed = subscribe(server.ws(made.key), { workspaceId, after: cursor });
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    await feed.until(1);
    ok(await server.gql(`mutation($id: ID!) { revokeApiKey(id: $id) }`, { id: made.apiKey.id }, admin.token));
    await feed.ended();
    expect((feed.errors[0] as { code?: number }).code).toBe(4401);
    ok(await progress(server, admin, job.id, 0.5));
    await settle();
    expect(feed.events).toHaveLength(1);
  });
});

describe('jobEvents cursors', () => {
  it('answers RESYNC_REQUIRED for a cursor older than the log', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const old = await eventCursor(server, admin, workspaceId);
    ok(await progress(server, admin, job.id, 0.1));
    ok(await progress(server, admin, job.id, 0.2));
    // The first of the two falls out of the retention window.
    await server.db.query(
      `UPDATE job_events SET occurred_at = now() - interval '30 days' WHERE workspace_id = $1 AND seq = $2`,
      [workspaceId, seqOf(old) + 1],
    );
    expect(await server.service.services.jobFeed.prune()).toBeGreaterThanOrEqual(2);
    const stale = subscribe(server.ws(admin.token), { workspaceId, after: old });
    await stale.ended();
    expect(firstError(stale)?.code).toBe('RESYNC_REQUIRED');
    // A cursor at the pruned event itself still resumes: nothing after it is gone.
    const fresh = subscribe(server.ws(admin.token), { workspaceId, after: encode(workspaceId, seqOf(old) + 1) });
    const [next] = await fresh.until(1);
    expect(next.progress).toBe(0.2);
  });

  it('answers RESYNC_REQUIRED for a cursor beyond the log (a restored database)', async () => {
    const { workspaceId, admin } = await setup();
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: encode(workspaceId, 1_000_000) });
    await feed.ended();
    expect(firstError(feed)?.code).toBe('RESYNC_REQUIRED');
  });

  it.each([
    ['garbage', () => 'not-a-cursor'],
    ['another workspace\'s cursor', () => encode('6b3f0a4e-1d2c-4b5a-9e8f-7a6b5c4d3e2f', 1)],
    ['a negative seq', (ws: string) => encode(ws, -1)],
  ])('refuses %s with BAD_USER_INPUT', async (_name, cursor) => {
    const { workspaceId, admin } = await setup();
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: cursor(workspaceId) });
    await feed.ended();
    expect(firstError(feed)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('jobEvents access', () => {
  it('is NOT_FOUND for a workspace the person has not joined', async () => {
    const { workspaceId } = await setup();
    const invited = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    const feed = subscribe(server.ws(invited.token), { workspaceId });
    await feed.ended();
    expect(firstError(feed)?.code).toBe('NOT_FOUND');
  });

  it('refuses a connection without a token', async () => {
    const { workspaceId } = await setup();
    const feed = subscribe(server.ws(), { workspaceId });
    await feed.ended();
    expect(feed.events).toEqual([]);
  });

  it('is refused over HTTP', async () => {
    const { workspaceId, admin } = await setup();
    const res = await server.gql(`subscription($w: ID!) { jobEvents(workspaceId: $w) { cursor } }`, { w: workspaceId }, admin.token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jobEvents' });
    expect(res.data?.jobEvents ?? null).toBeNull();
  });
});

function encode(workspaceId: string, seq: number): string {
  return Buffer.from(JSON.stringify([workspaceId, seq])).toString('base64url');
}
