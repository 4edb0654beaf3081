import { addMember, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { CANCEL_JOB, COMPLETE_JOB, FAIL_JOB, assign, createResource, firstError, ok, started, subscribe } from './fixtures';

/** workspace.jobs: filters by starter and creation time, and orders with stable cursors. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const LIST = `query($id: ID!, $filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
  workspace(id: $id) { jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    nodes { id status user { id } createdAt finishedAt } pageInfo { hasNextPage endCursor } totalCount eventCursor } } }`;

interface Row {
  id: string;
  status: string;
  userId: string;
  createdAt: number;
  finishedAt: number | null;
}

/** 12 jobs by two people, some finished; a few created at one same moment (ties), finished at spread times. */
async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const member = await addMember(server, workspaceId, 'MEMBER');
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  await assign(server, admin, workspaceId, member, 'PROJECT', projectId, 'TEAM_MANAGER');
  const jobs: string[] = [];
  for (let i = 0; i < 12; i++) {
    const person = i % 3 === 0 ? member : admin;
    const job = await started(server, person, { workspaceId, type: 'LABEL_IMPORT', projectId });
    jobs.push(job.id);
    if (i % 4 === 1) ok(await server.gql(COMPLETE_JOB, { jobId: job.id }, person.token));
    if (i % 4 === 2) ok(await server.gql(FAIL_JOB, { input: { jobId: job.id, errorMessage: 'x' } }, person.token));
    if (i % 4 === 3) ok(await server.gql(CANCEL_JOB, { jobId: job.id }, person.token));
  }
  // Ties: four jobs created at the same moment, two finished at the same moment.
  await server.db.query(`UPDATE jobs SET created_at = '2030-01-01T00:00:00.123456Z' WHERE id = ANY($1::uuid[])`, [jobs.slice(4, 8)]);
  await server.db.query(`UPDATE jobs SET finished_at = '2030-01-02T00:00:00Z' WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL`, [jobs.slice(0, 7)]);
  const rows: Row[] = await server.db.query(
    // In microseconds, as the service orders them (a JS Date keeps milliseconds).
    `SELECT id, status, user_id AS "userId", (extract(epoch FROM created_at) * 1e6)::bigint::float8 AS "createdAt",
            (extract(epoch FROM finished_at) * 1e6)::bigint::float8 AS "finishedAt" FROM jobs WHERE workspace_id = $1`,
    [workspaceId],
  );
  return { workspaceId, admin, member, rows };
}

/** Every page, `first` at a time: the ids in order, and each page's totalCount. */
async function readAll(token: string, workspaceId: string, variables: Record<string, unknown>, first = 5) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const jobs: any = ok(await server.gql(LIST, { id: workspaceId, ...variables, first, after }, token)).workspace.jobs;
    ids.push(...jobs.nodes.map((n: { id: string }) => n.id));
    totals.add(jobs.totalCount);
    expect(jobs.eventCursor).toEqual(expect.any(String));
    if (!jobs.pageInfo.hasNextPage) return { ids, totals };
    after = jobs.pageInfo.endCursor;
  }
  throw new Error('no last page');
}

/** The order the service promises: the key, then id, in the direction asked; null keys last either way. */
function expected(rows: Row[], key: (r: Row) => string | number | null, descending: boolean): string[] {
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0) * (descending ? -1 : 1);
  return [...rows]
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka === null || kb === null) return ka === kb ? cmp(a.id, b.id) : ka === null ? 1 : -1;
      return cmp(ka, kb) || cmp(a.id, b.id);
    })
    .map((r) => r.id);
}

const KEYS: Record<string, (r: Row) => string | number | null> = {
  CREATED_AT: (r) => r.createdAt,
  FINISHED_AT: (r) => r.finishedAt,
  STATUS: (r) => ['PROCESSING', 'SUCCESS', 'ERROR', 'CANCELLED'].indexOf(r.status), // the schema's order
};

describe('workspace.jobs orderBy', () => {
  it('pages through every order and direction stably: ties by id, unfinished last, totalCount the same on every page', async () => {
    const { workspaceId, admin, rows } = await setup();
    for (const field of Object.keys(KEYS)) {
      for (const direction of ['ASC', 'DESC']) {
        const { ids, totals } = await readAll(admin.token, workspaceId, { orderBy: { field, direction } }, 3);
        expect({ field, direction, ids }).toEqual({ field, direction, ids: expected(rows, KEYS[field], direction === 'DESC') });
        expect([...totals]).toEqual([rows.length]);
      }
    }
    // No orderBy: newest first, as before; a direction left out is DESC.
    expect((await readAll(admin.token, workspaceId, {})).ids).toEqual(expected(rows, KEYS.CREATED_AT, true));
    expect((await readAll(admin.token, workspaceId, { orderBy: { field: 'STATUS' } })).ids).toEqual(expected(rows, KEYS.STATUS, true));
  });

  it('refuses a cursor of another order, or a made-up one, with BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await setup();
    const page = ok(await server.gql(LIST, { id: workspaceId, first: 2, orderBy: { field: 'STATUS', direction: 'ASC' } }, admin.token)).workspace.jobs;
    for (const orderBy of [{ field: 'STATUS', direction: 'DESC' }, { field: 'CREATED_AT' }, null]) {
      const res = await server.gql(LIST, { id: workspaceId, first: 2, orderBy, after: page.pageInfo.endCursor }, admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ field: 'after' });
    }
    const forged = Buffer.from(JSON.stringify(['STATUS', 'ASC', 'NOPE', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    expect(errorCode(await server.gql(LIST, { id: workspaceId, orderBy: { field: 'STATUS', direction: 'ASC' }, after: forged }, admin.token))).toBe('BAD_USER_INPUT');
  });
});

describe('workspace.jobs filter', () => {
  it('userIds: an ADMIN lists the jobs these people started; for others it only narrows their own', async () => {
    const { workspaceId, admin, member, rows } = await setup();
    const ofMember = rows.filter((r) => r.userId === member.id).map((r) => r.id);
    const byMember = await readAll(admin.token, workspaceId, { filter: { userIds: [member.id] } });
    expect(new Set(byMember.ids)).toEqual(new Set(ofMember));
    expect([...byMember.totals]).toEqual([ofMember.length]);
    expect((await readAll(admin.token, workspaceId, { filter: { userIds: [member.id, admin.id] } })).ids).toHaveLength(rows.length);
    // The MEMBER sees their own jobs only, whatever they name.
    expect((await readAll(member.token, workspaceId, { filter: { userIds: [admin.id] } })).ids).toEqual([]);
    expect(new Set((await readAll(member.token, workspaceId, { filter: { userIds: [member.id, admin.id] } })).ids)).toEqual(new Set(ofMember));
    expect((await readAll(admin.token, workspaceId, { filter: { userIds: ['not-an-id'] } })).ids).toEqual([]);
  });

  it('createdAfter is inclusive, createdBefore exclusive, and they combine with the other filters', async () => {
    const { workspaceId, admin, rows } = await setup();
    const at = '2030-01-01T00:00:00.123Z'; // the tied jobs' moment to the millisecond (they are .123456)
    const tied = rows.filter((r) => r.createdAt === Date.parse(at) * 1000 + 456).map((r) => r.id);
    expect(tied).toHaveLength(4);
    expect(new Set((await readAll(admin.token, workspaceId, { filter: { createdAfter: at } })).ids)).toEqual(new Set(tied));
    expect((await readAll(admin.token, workspaceId, { filter: { createdBefore: at } })).ids).toHaveLength(rows.length - 4);
    expect((await readAll(admin.token, workspaceId, { filter: { createdAfter: at, createdBefore: '2030-01-01T00:00:00.124Z' } })).ids).toHaveLength(4);
    expect((await readAll(admin.token, workspaceId, { filter: { createdAfter: '2030-01-01T00:00:00.124Z' } })).ids).toEqual([]);
    const errors = rows.filter((r) => tied.includes(r.id) && r.status === 'ERROR').map((r) => r.id);
    expect(new Set((await readAll(admin.token, workspaceId, { filter: { createdAfter: at, statuses: ['ERROR'] } })).ids)).toEqual(new Set(errors));
  });
});

describe('jobEvents filter', () => {
  it('refuses the list-only filters (userIds, createdAfter, createdBefore) with BAD_USER_INPUT naming them', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    for (const filter of [{ userIds: [admin.id] }, { createdAfter: '2030-01-01T00:00:00Z' }, { createdBefore: '2030-01-01T00:00:00Z' }]) {
      const feed = subscribe(server.ws(admin.token), { workspaceId, filter });
      await feed.ended();
      expect(firstError(feed)).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${Object.keys(filter)[0]}` });
    }
  });
});
