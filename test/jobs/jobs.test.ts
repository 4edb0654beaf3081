import { addMember, countRows, createWorkspace, signIn, type Person, type Role } from '../support/fixtures';
import { errorCode, startTestServer, type GqlResult, type TestServer } from '../support/harness';
import {
  CANCEL_JOB,
  COMPLETE_JOB,
  FAIL_JOB,
  RETRY_JOB,
  assign,
  createResource,
  ok,
  progress,
  startJob,
  started,
  type ResourceRole,
} from './fixtures';

/** Jobs: startJob and the changes of a job, per docs/permissions.md, with their events in the log. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const WRITTEN = ['jobs', 'job_events', 'storage_folders'];
const counts = () => Promise.all(WRITTEN.map((t) => countRows(server, t)));

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const owner = await addMember(server, workspaceId, 'MEMBER');
  const projectId = await createResource(server, owner, workspaceId, 'PROJECT');
  const datasetId = await createResource(server, owner, workspaceId, 'DATASET');
  return { workspaceId, admin, owner, projectId, datasetId };
}

async function events(workspaceId: string, jobId?: string) {
  return server.db.query(
    `SELECT seq, job_id AS "jobId", job_user_id AS "jobUserId", job_type AS "jobType", status, progress FROM job_events
      WHERE workspace_id = $1 AND ($2::uuid IS NULL OR job_id = $2) ORDER BY seq`,
    [workspaceId, jobId ?? null],
  );
}

describe('startJob', () => {
  it('starts a DATA_IMPORT PROCESSING at 0 in a storage folder it makes, and logs the event', async () => {
    const { workspaceId, owner, datasetId } = await setup();
    const job = await started(server, owner, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: '  dashcam/2026-11 ' });
    expect(job).toMatchObject({
      type: 'DATA_IMPORT',
      status: 'PROCESSING',
      progress: 0,
      user: { id: owner.id },
      dataset: { id: datasetId },
      project: null,
      folder: { name: 'dashcam/2026-11' },
      retryOf: null,
      finishedAt: null,
      errorMessage: null,
    });
    const [event] = await events(workspaceId, job.id);
    expect(event).toMatchObject({ jobId: job.id, jobUserId: owner.id, jobType: 'DATA_IMPORT', status: 'PROCESSING', progress: 0 });
    const [ws] = await server.db.query(`SELECT last_event_seq AS seq FROM workspaces WHERE id = $1`, [workspaceId]);
    expect(Number(ws.seq)).toBe(Number(event.seq));
    // The same folder, named again in another case: found, not made twice.
    const again = await started(server, owner, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'DASHCAM/2026-11' });
    expect(again.folder).toEqual(job.folder);
    const [folders] = await server.db.query(`SELECT count(*)::int AS n FROM storage_folders WHERE workspace_id = $1`, [workspaceId]);
    expect(folders.n).toBe(1);
  });

  it('makes one folder when two imports name a new one at the same moment', async () => {
    const { workspaceId, owner, datasetId } = await setup();
    const jobs = await Promise.all([0, 1, 2, 3].map(() => started(server, owner, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'race' })));
    expect(new Set(jobs.map((j) => j.folder.id)).size).toBe(1);
  });

  it('starts a DATA_IMPORT without a folder', async () => {
    const { workspaceId, owner, datasetId } = await setup();
    expect((await started(server, owner, { workspaceId, type: 'DATA_IMPORT', datasetId })).folder).toBeNull();
  });

  describe.each([
    ['DATA_IMPORT', 'DATASET', ['ADMIN'], ['USER']],
    ['LABEL_IMPORT', 'PROJECT', ['ADMIN', 'TEAM_MANAGER'], ['REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER']],
    ['MODEL_TRAINING', 'PROJECT', ['ADMIN', 'TEAM_MANAGER'], ['REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER']],
  ] as const)('%s', (type, resourceType, allowed, refused) => {
    const target = (ids: { projectId: string; datasetId: string }) =>
      resourceType === 'DATASET' ? { datasetId: ids.datasetId } : { projectId: ids.projectId };
    const resourceOf = (ids: { projectId: string; datasetId: string }) => (resourceType === 'DATASET' ? ids.datasetId : ids.projectId);

    it('is allowed to a workspace ADMIN with no role on the resource', async () => {
      const ids = await setup();
      const job = await started(server, ids.admin, { workspaceId: ids.workspaceId, type, ...target(ids) });
      expect(job.user.id).toBe(ids.admin.id);
    });

    it.each(allowed.flatMap((role) => (['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as Role[]).map((ws) => [role, ws] as const)))(
      'is allowed to a resource %s (workspace %s)',
      async (role, wsRole) => {
        const ids = await setup();
        const person = await addMember(server, ids.workspaceId, wsRole);
        await assign(server, ids.admin, ids.workspaceId, person, resourceType, resourceOf(ids), role as ResourceRole);
        expect((await started(server, person, { workspaceId: ids.workspaceId, type, ...target(ids) })).status).toBe('PROCESSING');
      },
    );

    it.each(refused)('is FORBIDDEN to a resource %s, and writes nothing', async (role) => {
      const ids = await setup();
      const person = await addMember(server, ids.workspaceId, 'MEMBER');
      await assign(server, ids.admin, ids.workspaceId, person, resourceType, resourceOf(ids), role as ResourceRole);
      const before = await counts();
      expect(errorCode(await startJob(server, person, { workspaceId: ids.workspaceId, type, ...target(ids) }))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    });

    it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('is NOT_FOUND to a %s with no role on the resource', async (wsRole) => {
      const ids = await setup();
      const person = await addMember(server, ids.workspaceId, wsRole);
      expect(errorCode(await startJob(server, person, { workspaceId: ids.workspaceId, type, ...target(ids) }))).toBe('NOT_FOUND');
    });
  });

  it.each(['INVITED', 'DECLINED'] as const)('is NOT_FOUND to an %s resource ADMIN', async (status) => {
    const ids = await setup();
    // Given the role while INVITED (a DECLINED person is given none), then answering as the case says.
    const person = await addMember(server, ids.workspaceId, 'MEMBER', 'INVITED');
    await assign(server, ids.admin, ids.workspaceId, person, 'PROJECT', ids.projectId, 'ADMIN');
    await server.db.query(`UPDATE memberships SET status = $3 WHERE workspace_id = $1 AND user_id = $2`, [ids.workspaceId, person.id, status]);
    expect(errorCode(await startJob(server, person, { workspaceId: ids.workspaceId, type: 'MODEL_TRAINING', projectId: ids.projectId }))).toBe('NOT_FOUND');
  });

  it('is NOT_FOUND to a stranger, and for a resource of another workspace', async () => {
    const ids = await setup();
    const stranger = await signIn(server, 'stranger-jobs@example.test');
    expect(errorCode(await startJob(server, stranger, { workspaceId: ids.workspaceId, type: 'MODEL_TRAINING', projectId: ids.projectId }))).toBe('NOT_FOUND');
    const other = await setup();
    expect(errorCode(await startJob(server, ids.admin, { workspaceId: ids.workspaceId, type: 'MODEL_TRAINING', projectId: other.projectId }))).toBe('NOT_FOUND');
  });

  it.each([
    ['DATA_IMPORT without datasetId', { type: 'DATA_IMPORT' }, 'BAD_USER_INPUT', 'input.datasetId'],
    ['MODEL_TRAINING without projectId', { type: 'MODEL_TRAINING' }, 'BAD_USER_INPUT', 'input.projectId'],
    ['DATA_IMPORT with a projectId too', { type: 'DATA_IMPORT', dataset: true, project: true }, 'BAD_USER_INPUT', 'input.projectId'],
    ['LABEL_IMPORT with a datasetId too', { type: 'LABEL_IMPORT', dataset: true, project: true }, 'BAD_USER_INPUT', 'input.datasetId'],
    ['LABEL_IMPORT with a folder', { type: 'LABEL_IMPORT', project: true, folderName: 'x' }, 'BAD_USER_INPUT', 'input.folderName'],
    ['a blank folder name', { type: 'DATA_IMPORT', dataset: true, folderName: '   ' }, 'BAD_USER_INPUT', 'input.folderName'],
    ['a folder name of 201 characters', { type: 'DATA_IMPORT', dataset: true, folderName: 'f'.repeat(201) }, 'BAD_USER_INPUT', 'input.folderName'],
    ['a dataset named as the project', { type: 'MODEL_TRAINING', datasetAsProject: true }, 'NOT_FOUND', undefined],
    ['a malformed id', { type: 'MODEL_TRAINING', projectId: 'nope' }, 'NOT_FOUND', undefined],
  ] as const)('refuses %s and writes nothing', async (_name, spec: any, code, field) => {
    const ids = await setup();
    const input: Record<string, unknown> = { workspaceId: ids.workspaceId, type: spec.type };
    if (spec.dataset) input.datasetId = ids.datasetId;
    if (spec.project) input.projectId = ids.projectId;
    if (spec.datasetAsProject) input.projectId = ids.datasetId;
    if (spec.projectId) input.projectId = spec.projectId;
    if (spec.folderName !== undefined) input.folderName = spec.folderName;
    const before = await counts();
    const res = await startJob(server, ids.admin, input);
    expect(errorCode(res)).toBe(code);
    if (field) expect(res.errors![0].extensions!.field).toBe(field);
    expect(await counts()).toEqual(before);
  });
});

describe('reportJobProgress, completeJob, failJob, cancelJob', () => {
  async function running() {
    const ids = await setup();
    const job = await started(server, ids.owner, { workspaceId: ids.workspaceId, type: 'MODEL_TRAINING', projectId: ids.projectId });
    return { ...ids, job };
  }
  const complete = (p: Person, jobId: string) => server.gql(COMPLETE_JOB, { jobId }, p.token);
  const fail = (p: Person, jobId: string, errorMessage = 'GPU out of memory', errorDetails: string | null = 'CUDA error at epoch 3\n  at train()') =>
    server.gql(FAIL_JOB, { input: { jobId, errorMessage, errorDetails } }, p.token);
  const cancel = (p: Person, jobId: string) => server.gql(CANCEL_JOB, { jobId }, p.token);

  it('lets the starter report growing progress and complete; each change is one event', async () => {
    const { workspaceId, owner, job } = await running();
    expect(ok(await progress(server, owner, job.id, 0.3)).reportJobProgress).toEqual({ id: job.id, status: 'PROCESSING', progress: 0.3 });
    ok(await progress(server, owner, job.id, 0.3)); // the same value: allowed, changes nothing
    ok(await progress(server, owner, job.id, 1));
    const done = ok(await complete(owner, job.id)).completeJob;
    expect(done).toMatchObject({ status: 'SUCCESS', progress: 1, finishedAt: expect.any(String) });
    expect((await events(workspaceId, job.id)).map((e: any) => [e.status, e.progress])).toEqual([
      ['PROCESSING', 0],
      ['PROCESSING', 0.3],
      ['PROCESSING', 1],
      ['SUCCESS', 1],
    ]);
  });

  it('records an error message and details, shown to whoever sees the job', async () => {
    const { workspaceId, admin, owner, job } = await running();
    const failed = ok(await fail(owner, job.id)).failJob;
    expect(failed).toMatchObject({ status: 'ERROR', errorMessage: 'GPU out of memory', errorDetails: 'CUDA error at epoch 3\n  at train()', finishedAt: expect.any(String) });
    for (const viewer of [owner, admin]) {
      const res = await server.gql(`query($w: ID!, $id: ID!) { workspace(id: $w) { job(id: $id) { status errorMessage errorDetails } } }`, { w: workspaceId, id: job.id }, viewer.token);
      expect(ok(res).workspace.job).toEqual({ status: 'ERROR', errorMessage: 'GPU out of memory', errorDetails: 'CUDA error at epoch 3\n  at train()' });
    }
  });

  it('cancels', async () => {
    const { owner, job } = await running();
    expect(ok(await cancel(owner, job.id)).cancelJob).toMatchObject({ status: 'CANCELLED', finishedAt: expect.any(String) });
  });

  it.each([
    ['reportJobProgress', (p: Person, id: string) => progress(server, p, id, 0.5)],
    ['completeJob', complete],
    ['failJob', (p: Person, id: string) => fail(p, id)],
    ['cancelJob', cancel],
  ] as const)('%s: allowed to a workspace ADMIN on anyone\'s job; NOT_FOUND to anyone else', async (_name, act) => {
    const { workspaceId, admin, job } = await running();
    for (const role of ['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const) {
      const other = await addMember(server, workspaceId, role);
      expect(errorCode(await act(other, job.id))).toBe('NOT_FOUND');
    }
    const before = await counts();
    expect(errorCode(await act(await signIn(server, 'nobody-jobs@example.test'), job.id))).toBe('NOT_FOUND');
    expect(errorCode(await act(admin, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
    expect((await act(admin, job.id)).errors).toBeUndefined();
  });

  it("is NOT_FOUND to a project ADMIN on another person's job (only its starter and workspace ADMINs)", async () => {
    const { workspaceId, admin, owner, projectId } = await setup();
    const manager = await addMember(server, workspaceId, 'MEMBER');
    await assign(server, admin, workspaceId, manager, 'PROJECT', projectId, 'TEAM_MANAGER');
    const job = await started(server, manager, { workspaceId, type: 'MODEL_TRAINING', projectId });
    expect(errorCode(await cancel(owner, job.id))).toBe('NOT_FOUND'); // owner is the project's ADMIN
  });

  it.each([
    ['above 1', 1.01],
    ['below 0', -0.1],
  ])('refuses progress %s with BAD_USER_INPUT, writing nothing', async (_name, value) => {
    const { owner, job } = await running();
    const before = await counts();
    const res = await progress(server, owner, job.id, value);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.progress' });
    expect(await counts()).toEqual(before);
  });

  it('refuses progress that goes down with BAD_USER_INPUT, writing nothing', async () => {
    const { owner, job } = await running();
    ok(await progress(server, owner, job.id, 0.6));
    const before = await counts();
    const res = await progress(server, owner, job.id, 0.59);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.progress', current: 0.6 });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an empty message', ''],
    ['a message of 1001 characters', 'm'.repeat(1001)],
  ])('refuses failJob with %s, writing nothing', async (_name, message) => {
    const { owner, job } = await running();
    const before = await counts();
    const res = await fail(owner, job.id, message);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.errorMessage' });
    expect(await counts()).toEqual(before);
  });

  describe.each([
    ['SUCCESS', complete],
    ['ERROR', (p: Person, id: string) => fail(p, id)],
    ['CANCELLED', cancel],
  ] as const)('a job in %s', (status, finish) => {
    it.each([
      ['reportJobProgress', (p: Person, id: string) => progress(server, p, id, 1)],
      ['completeJob', complete],
      ['failJob', (p: Person, id: string) => fail(p, id)],
      ['cancelJob', cancel],
    ] as const)('refuses %s with INVARIANT and changes nothing', async (_name, act) => {
      const { admin, owner, job } = await running();
      ok(await finish(owner, job.id));
      const before = await counts();
      for (const person of [owner, admin]) {
        const res = await act(person, job.id);
        expect(res.errors![0].extensions).toMatchObject({ code: 'INVARIANT', status });
      }
      expect(await counts()).toEqual(before);
    });
  });

  it('lets exactly one of many concurrent finishes win', async () => {
    const { workspaceId, owner, admin, job } = await running();
    const results: GqlResult[] = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? complete(owner, job.id) : i % 3 === 1 ? cancel(admin, job.id) : fail(owner, job.id))),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).every((r) => errorCode(r) === 'INVARIANT')).toBe(true);
    expect(await events(workspaceId, job.id)).toHaveLength(2);
  });

  it('never lets concurrent progress reports go down', async () => {
    const { workspaceId, owner, job } = await running();
    const values = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 1];
    const results = await Promise.all(values.map((v) => progress(server, owner, job.id, v)));
    expect(results.every((r) => !r.errors || errorCode(r) === 'BAD_USER_INPUT')).toBe(true);
    const logged = (await events(workspaceId, job.id)).map((e: any) => e.progress);
    expect(logged).toEqual([...logged].sort((a, b) => a - b));
    expect(logged[logged.length - 1]).toBe(1);
    const [row] = await server.db.query(`SELECT progress FROM jobs WHERE id = $1`, [job.id]);
    expect(row.progress).toBe(1);
  });
});

describe('retryJob', () => {
  async function finished(how: 'ERROR' | 'CANCELLED' | 'SUCCESS' | 'PROCESSING') {
    const ids = await setup();
    const job = await started(server, ids.owner, { workspaceId: ids.workspaceId, type: 'DATA_IMPORT', datasetId: ids.datasetId, folderName: 'in' });
    if (how === 'ERROR') ok(await server.gql(FAIL_JOB, { input: { jobId: job.id, errorMessage: 'broken' } }, ids.owner.token));
    if (how === 'CANCELLED') ok(await server.gql(CANCEL_JOB, { jobId: job.id }, ids.owner.token));
    if (how === 'SUCCESS') ok(await server.gql(COMPLETE_JOB, { jobId: job.id }, ids.owner.token));
    return { ...ids, job };
  }
  const retry = (p: Person, jobId: string) => server.gql(RETRY_JOB, { jobId }, p.token);

  it.each(['ERROR', 'CANCELLED'] as const)('starts a new PROCESSING job with the same target, linked to the job in %s', async (how) => {
    const { workspaceId, owner, job } = await finished(how);
    const again = ok(await retry(owner, job.id)).retryJob;
    expect(again).toMatchObject({
      type: 'DATA_IMPORT',
      status: 'PROCESSING',
      progress: 0,
      user: { id: owner.id },
      dataset: job.dataset,
      folder: job.folder,
      retryOf: { id: job.id, status: how },
      errorMessage: null,
    });
    expect(again.id).not.toBe(job.id);
    expect((await events(workspaceId, again.id)).map((e: any) => e.status)).toEqual(['PROCESSING']);
  });

  it.each(['SUCCESS', 'PROCESSING'] as const)('refuses a job in %s with INVARIANT, writing nothing', async (how) => {
    const { owner, job } = await finished(how);
    const before = await counts();
    expect((await retry(owner, job.id)).errors![0].extensions).toMatchObject({ code: 'INVARIANT', status: how });
    expect(await counts()).toEqual(before);
  });

  it("lets a workspace ADMIN retry anyone's job; the retry is theirs", async () => {
    const { admin, job } = await finished('ERROR');
    expect(ok(await retry(admin, job.id)).retryJob.user.id).toBe(admin.id);
  });

  it('is FORBIDDEN to a starter who may no longer start it, and NOT_FOUND to others', async () => {
    const { workspaceId, admin, job, datasetId } = await finished('ERROR');
    const starter = await addMember(server, workspaceId, 'MEMBER');
    await assign(server, admin, workspaceId, starter, 'DATASET', datasetId, 'ADMIN');
    const own = await started(server, starter, { workspaceId, type: 'DATA_IMPORT', datasetId });
    ok(await server.gql(CANCEL_JOB, { jobId: own.id }, starter.token));
    await assign(server, admin, workspaceId, starter, 'DATASET', datasetId, 'USER');
    const before = await counts();
    expect(errorCode(await retry(starter, own.id))).toBe('FORBIDDEN');
    expect(errorCode(await retry(starter, job.id))).toBe('NOT_FOUND'); // someone else's job, even as the dataset's USER
    expect(await counts()).toEqual(before);
  });
});
