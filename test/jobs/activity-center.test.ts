import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { countQueries } from '../support/query-counter';
import { CANCEL_JOB, COMPLETE_JOB, FAIL_JOB, JOBS, RETRY_JOB, assign, createResource, ok, removeUser, started } from './fixtures';

/** The Activity Center: workspace.jobs and workspace.job(id); ADMINs see every job, others their own. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const JOB = `query($w: ID!, $id: ID!) { workspace(id: $w) { job(id: $id) { id project { id } dataset { id } retryOf { id } } } }`;

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const member = await addMember(server, workspaceId, 'MEMBER');
  const tasker = await addMember(server, workspaceId, 'TASKER');
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
  await assign(server, admin, workspaceId, member, 'PROJECT', projectId, 'TEAM_MANAGER');
  await assign(server, admin, workspaceId, tasker, 'DATASET', datasetId, 'ADMIN');
  const jobs = {
    admin: await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId }),
    member: await started(server, member, { workspaceId, type: 'MODEL_TRAINING', projectId }),
    tasker: await started(server, tasker, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'raw' }),
  };
  return { workspaceId, admin, member, tasker, projectId, datasetId, jobs };
}

const list = async (token: string, workspaceId: string, vars: Record<string, unknown> = {}) =>
  ok(await server.gql(JOBS, { id: workspaceId, ...vars }, token)).workspace.jobs;

describe('workspace.jobs', () => {
  it('shows an ADMIN every job, newest first', async () => {
    const { workspaceId, admin, jobs } = await setup();
    const page = await list(admin.token, workspaceId);
    expect(page.nodes.map((n: any) => n.id)).toEqual([jobs.tasker.id, jobs.member.id, jobs.admin.id]);
    expect(page.totalCount).toBe(3);
    expect(page.eventCursor).toEqual(expect.any(String));
  });

  it.each(['member', 'tasker'] as const)('shows a %s only the jobs they started', async (who) => {
    const ids = await setup();
    const page = await list(ids[who].token, ids.workspaceId);
    expect(page.nodes.map((n: any) => [n.id, n.user.id])).toEqual([[ids.jobs[who].id, ids[who].id]]);
    expect(page.totalCount).toBe(1);
  });

  it('shows a WORKFORCE_MANAGER only their own (none here)', async () => {
    const { workspaceId } = await setup();
    const manager = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    expect((await list(manager.token, workspaceId)).nodes).toEqual([]);
  });

  it('filters by types and statuses', async () => {
    const { workspaceId, admin, jobs } = await setup();
    ok(await server.gql(COMPLETE_JOB, { jobId: jobs.member.id }, admin.token));
    ok(await server.gql(FAIL_JOB, { input: { jobId: jobs.tasker.id, errorMessage: 'bad file' } }, admin.token));
    const ids = async (filter: object) => (await list(admin.token, workspaceId, { filter })).nodes.map((n: any) => n.id);
    expect(await ids({ types: ['DATA_IMPORT', 'LABEL_IMPORT'] })).toEqual([jobs.tasker.id, jobs.admin.id]);
    expect(await ids({ statuses: ['SUCCESS', 'ERROR'] })).toEqual([jobs.tasker.id, jobs.member.id]);
    expect(await ids({ types: ['MODEL_TRAINING'], statuses: ['PROCESSING'] })).toEqual([]);
    expect(await ids({ types: [], statuses: [] })).toHaveLength(3); // an empty list does not filter
    expect((await list(admin.token, workspaceId, { filter: { statuses: ['ERROR'] } })).totalCount).toBe(1);
  });

  it('answers totalCount however it is asked for (alias, fragments, @include), compiled or not', async () => {
    const { workspaceId, admin } = await setup();
    const query = `fragment Total on JobConnection { n: totalCount }
      query($id: ID!, $withTotal: Boolean!) { workspace(id: $id) {
        all: jobs { ...Total ... on JobConnection { totalCount } }
        some: jobs(filter: { types: [DATA_IMPORT] }) { nodes { id } count: totalCount @include(if: $withTotal) }
        none: jobs { nodes { id } } } }`;
    // The first sight of a document runs on graphql-js, the second on compiled code.
    for (let sight = 0; sight < 2; sight++) {
      const on = ok(await server.gql(query, { id: workspaceId, withTotal: true }, admin.token)).workspace;
      expect([on.all.n, on.all.totalCount, on.some.count, on.none.nodes.length]).toEqual([3, 3, 1, 3]);
      const off = ok(await server.gql(query, { id: workspaceId, withTotal: false }, admin.token)).workspace;
      expect(off.some).toEqual({ nodes: [expect.anything()] });
      expect(off.none).not.toHaveProperty('totalCount');
    }
  });

  it('pages with cursors, none skipped or repeated', async () => {
    const { workspaceId, admin, projectId } = await setup();
    await Promise.all(Array.from({ length: 9 }, () => started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId })));
    const all = (await list(admin.token, workspaceId, { first: 100 })).nodes.map((n: any) => n.id);
    expect(all).toHaveLength(12);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await list(admin.token, workspaceId, { first: 5, after });
      seen.push(...page.nodes.map((n: any) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it.each([
    ['first above 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
    ['a foreign cursor', { after: 'bm9wZQ' }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_name, vars, field) => {
    const { workspaceId, admin } = await setup();
    const res = await server.gql(JOBS, { id: workspaceId, ...vars }, admin.token);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('is null for someone who has not joined', async () => {
    const { workspaceId } = await setup();
    const invited = await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    expect(ok(await server.gql(JOBS, { id: workspaceId }, invited.token)).workspace).toBeNull();
  });

  it('loads a page with its people, resources, folders and retries in a fixed number of statements', async () => {
    const { workspaceId, admin, projectId, datasetId } = await setup();
    const query = `query($id: ID!) { workspace(id: $id) { jobs(first: 100) { nodes { id user { email } project { name } dataset { name }
      folder { name } retryOf { id user { email } } } totalCount eventCursor } } }`;
    const retried = async (i: number) => {
      const job = await started(server, admin, { workspaceId, type: i % 2 ? 'DATA_IMPORT' : 'MODEL_TRAINING', ...(i % 2 ? { datasetId, folderName: `f${i}` } : { projectId }) });
      ok(await server.gql(CANCEL_JOB, { jobId: job.id }, admin.token));
      ok(await server.gql(RETRY_JOB, { jobId: job.id }, admin.token));
    };
    await retried(0);
    const counter = countQueries(server.db);
    try {
      const small = await counter.during(() => server.gql(query, { id: workspaceId }, admin.token));
      for (let i = 1; i <= 6; i++) await retried(i);
      const large = await counter.during(() => server.gql(query, { id: workspaceId }, admin.token));
      expect(large).toBe(small);
    } finally {
      counter.stop();
    }
  });
});

describe('workspace.jobs with the people who started them', () => {
  it('reads the starters with the page, in no statement of their own, removed people included', async () => {
    const { workspaceId, admin, member, tasker, jobs } = await setup();
    await removeUser(server, admin, workspaceId, tasker);
    const bare = `query($id: ID!) { workspace(id: $id) { jobs { nodes { id } } } }`;
    const withPeople = `query($id: ID!) { workspace(id: $id) { jobs { nodes { id user { id email role status } } } } }`;
    const counter = countQueries(server.db);
    try {
      // Twice each: the first sight of a document runs on graphql-js, the second compiled.
      for (let sight = 0; sight < 2; sight++) {
        const without = await counter.during(() => server.gql(bare, { id: workspaceId }, admin.token));
        let page: any;
        const withUsers = await counter.during(async () => (page = ok(await server.gql(withPeople, { id: workspaceId }, admin.token))));
        expect(withUsers).toBe(without);
        expect(page.workspace.jobs.nodes.map((n: any) => [n.id, n.user.id, n.user.role, n.user.status])).toEqual([
          [jobs.tasker.id, tasker.id, 'TASKER', 'REMOVED'], // history names them, as REMOVED
          [jobs.member.id, member.id, 'MEMBER', 'JOINED'],
          [jobs.admin.id, admin.id, 'ADMIN', 'JOINED'],
        ]);
      }
    } finally {
      counter.stop();
    }
  });
});

describe('workspace.job and the objects a job names', () => {
  it('is the job for its starter and for ADMINs, null for anyone else', async () => {
    const { workspaceId, admin, member, tasker, jobs } = await setup();
    const get = async (token: string, id: string) => ok(await server.gql(JOB, { w: workspaceId, id }, token)).workspace.job;
    expect((await get(admin.token, jobs.member.id)).id).toBe(jobs.member.id);
    expect((await get(member.token, jobs.member.id)).id).toBe(jobs.member.id);
    expect(await get(tasker.token, jobs.member.id)).toBeNull();
    expect(await get(member.token, jobs.admin.id)).toBeNull();
    expect(await get(admin.token, 'not-a-uuid')).toBeNull();
    const other = await setup();
    expect(await get(admin.token, other.jobs.admin.id)).toBeNull(); // another workspace's job
  });

  it("shows a job's project only to those who see the project", async () => {
    const { workspaceId, admin, member, projectId, jobs } = await setup();
    ok(await server.gql(`mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`, {
      input: { workspaceId, userId: member.id, resourceType: 'PROJECT', resourceId: projectId },
    }, admin.token));
    const get = async (token: string) => ok(await server.gql(JOB, { w: workspaceId, id: jobs.member.id }, token)).workspace.job;
    expect((await get(member.token)).project).toBeNull();
    expect((await get(admin.token)).project).toEqual({ id: projectId });
  });

  it('shows the retried job only to those who see it', async () => {
    const { workspaceId, admin, member, jobs } = await setup();
    ok(await server.gql(CANCEL_JOB, { jobId: jobs.member.id }, member.token));
    const byAdmin = ok(await server.gql(RETRY_JOB, { jobId: jobs.member.id }, admin.token)).retryJob;
    expect(byAdmin.retryOf.id).toBe(jobs.member.id);
    const byMember = ok(await server.gql(RETRY_JOB, { jobId: jobs.member.id }, member.token)).retryJob;
    expect(byMember.retryOf.id).toBe(jobs.member.id);
    // The member's own retry shows their job; the admin's retry is not theirs to see.
    expect(ok(await server.gql(JOB, { w: workspaceId, id: byAdmin.id }, member.token)).workspace.job).toBeNull();
  });

  it('answers NOT_FOUND to a person outside the workspace for every job operation', async () => {
    const { jobs } = await setup();
    const stranger = await signIn(server, 'stranger-activity@example.test');
    for (const [query, vars] of [
      [COMPLETE_JOB, { jobId: jobs.admin.id }],
      [CANCEL_JOB, { jobId: jobs.admin.id }],
      [RETRY_JOB, { jobId: jobs.admin.id }],
    ] as const) {
      expect(errorCode(await server.gql(query, vars, stranger.token))).toBe('NOT_FOUND');
    }
  });
});
