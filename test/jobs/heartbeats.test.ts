import type { RunningService } from '../../src/bootstrap';
import { createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { createResource, eventCursor, ok, progress, settle, startJob, started, subscribe } from './fixtures';

/**
 * Heartbeats: a PROCESSING job whose worker stays silent past its heartbeatSeconds turns ERROR
 * ("no report for N s"), once, with its event in the feed, on any number of instances.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const SWEEP_MS = 200;

let server: TestServer;
let second: RunningService | undefined;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', HEARTBEAT_SWEEP_MS: String(SWEEP_MS) });
  if (onPostgres) second = await server.secondInstance();
});
afterAll(() => server.close());

const JOB = `query($id: ID!, $jobId: ID!) { workspace(id: $id) { job(id: $jobId) { id status errorMessage heartbeatSeconds lastReportAt finishedAt } } }`;

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  return { workspaceId, admin, projectId };
}

async function jobOf(workspaceId: string, token: string, jobId: string) {
  return ok(await server.gql(JOB, { id: workspaceId, jobId }, token)).workspace.job;
}

/** Makes jobs due now, without waiting for them: their last report moved into the past. */
async function backdate(jobIds: string[], seconds: number) {
  await server.db.query(`UPDATE jobs SET last_report_at = now() - make_interval(secs => $2) WHERE id = ANY($1::uuid[])`, [jobIds, seconds]);
}

describe('heartbeats', () => {
  it('turns a job ERROR once its worker has been silent for heartbeatSeconds, and the feed says so', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: await eventCursor(server, admin, workspaceId) });
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId, heartbeatSeconds: 10 });
    const before = await jobOf(workspaceId, admin.token, job.id);
    expect(before).toMatchObject({ status: 'PROCESSING', heartbeatSeconds: 10, errorMessage: null });
    // The one real wait: 10 s of silence, then a sweep.
    const events = await feed.until(2, 10_000 + 5 * SWEEP_MS + 5_000);
    expect(events.map((e) => [e.job.id, e.status])).toEqual([
      [job.id, 'PROCESSING'],
      [job.id, 'ERROR'],
    ]);
    const after = await jobOf(workspaceId, admin.token, job.id);
    expect(after).toMatchObject({ status: 'ERROR', errorMessage: 'no report for 10 s', lastReportAt: before.lastReportAt });
    expect(Date.parse(after.finishedAt) - Date.parse(before.lastReportAt)).toBeGreaterThanOrEqual(10_000);
    // Its worker's late report is refused: the job is no longer PROCESSING.
    const late = await progress(server, admin, job.id, 0.5);
    expect(errorCode(late)).toBe('INVARIANT');
    expect(late.errors![0].extensions).toMatchObject({ status: 'ERROR' });
  }, 30_000);

  it('keeps a job that reports PROCESSING, and every report moves lastReportAt (the same progress too)', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId, heartbeatSeconds: 10 });
    const reports = [0.1, 0.1, 0.2];
    let last = (await jobOf(workspaceId, admin.token, job.id)).lastReportAt;
    for (const value of reports) {
      // Almost due when it reports: each report gives it another 10 s.
      await backdate([job.id], 9);
      ok(await progress(server, admin, job.id, value));
      const now = await jobOf(workspaceId, admin.token, job.id);
      expect(now.status).toBe('PROCESSING');
      expect(Date.parse(now.lastReportAt)).toBeGreaterThan(Date.parse(last) - 9_000);
      last = now.lastReportAt;
      await settle(3 * SWEEP_MS); // sweeps pass it by
      expect((await jobOf(workspaceId, admin.token, job.id)).status).toBe('PROCESSING');
    }
    // The same progress sent again logs no event: the feed has nothing new to tell.
    const [events] = await server.db.query(`SELECT count(*)::int AS n FROM job_events WHERE job_id = $1`, [job.id]);
    expect(events.n).toBe(3); // start, 0.1, 0.2
  });

  it('leaves a job without heartbeatSeconds PROCESSING however long its worker is silent', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    expect((await jobOf(workspaceId, admin.token, job.id)).heartbeatSeconds).toBeNull();
    await backdate([job.id], 86_400 * 30);
    await settle(3 * SWEEP_MS);
    expect((await jobOf(workspaceId, admin.token, job.id)).status).toBe('PROCESSING');
  });

  it('carries heartbeatSeconds over to a retry, which starts its own heartbeat', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId, heartbeatSeconds: 30 });
    await backdate([job.id], 31);
    await waitFor(async () => (await jobOf(workspaceId, admin.token, job.id)).status === 'ERROR');
    const retry = ok(await server.gql(`mutation($jobId: ID!) { retryJob(jobId: $jobId) { id status heartbeatSeconds lastReportAt createdAt } }`, { jobId: job.id }, admin.token)).retryJob;
    expect(retry).toMatchObject({ status: 'PROCESSING', heartbeatSeconds: 30 });
    expect(retry.lastReportAt).toBe(retry.createdAt);
  });

  (onPostgres ? it : it.skip)('turns each of many due jobs ERROR exactly once with two instances sweeping', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const other = await createWorkspace(server, 'Other', admin.email);
    const otherProject = await createResource(server, admin, other.workspaceId, 'PROJECT');
    const jobs = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        started(server, admin, i % 3 ? { workspaceId, type: 'LABEL_IMPORT', projectId, heartbeatSeconds: 10 } : { workspaceId: other.workspaceId, type: 'LABEL_IMPORT', projectId: otherProject, heartbeatSeconds: 10 }),
      ),
    );
    expect(second).toBeDefined();
    // Both instances find them due at once (150: more than one round of a sweep).
    await backdate(jobs.map((j) => j.id), 60);
    const ids = jobs.map((j) => j.id);
    await waitFor(async () => {
      const [row] = await server.db.query(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'ERROR'`, [ids]);
      return row.n === ids.length;
    });
    await settle(3 * SWEEP_MS);
    const rows = await server.db.query(
      `SELECT job_id AS "jobId", count(*)::int AS n FROM job_events WHERE job_id = ANY($1::uuid[]) AND status = 'ERROR' GROUP BY job_id`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
    // Both logs stay dense: seq numbers without gaps or repeats.
    for (const ws of [workspaceId, other.workspaceId]) {
      const [log] = await server.db.query(`SELECT count(*)::int AS n, max(seq)::int AS top, count(DISTINCT seq)::int AS distinct FROM job_events WHERE workspace_id = $1`, [ws]);
      expect(log.n).toBe(log.top);
      expect(log.distinct).toBe(log.n);
    }
  }, 30_000);

  it('refuses a heartbeatSeconds out of 10..86400 with BAD_USER_INPUT naming it, starting nothing', async () => {
    const { workspaceId, admin, projectId } = await setup();
    for (const heartbeatSeconds of [0, 9, 86_401, -5]) {
      const res = await startJob(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId, heartbeatSeconds });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ field: 'input.heartbeatSeconds' });
    }
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM jobs WHERE workspace_id = $1`, [workspaceId]);
    expect(row.n).toBe(0);
    for (const heartbeatSeconds of [10, 86_400]) ok(await startJob(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId, heartbeatSeconds }));
  });
});

async function waitFor(done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await settle(100);
  }
}
