import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { seedDemo } from '../../src/demo/seed';
import { mintToken } from '../../src/dev-token';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/harness';

/**
 * The README's five-minute tour, step by step, with the very files it tells people to send
 * (examples/*.graphql + their variables, through examples/body.cjs): against the demo workspace
 * that `npm start` seeds, as its ADMIN. A renamed field or a changed rule breaks this test,
 * not a newcomer's first five minutes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { requestBody } = require('../../examples/body.cjs') as {
  requestBody(file: string, env: Record<string, string | undefined>): { query: string; variables: Record<string, unknown> };
};

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

let server: TestServer;
let adminToken: string;
let workspaceId: string;

beforeAll(async () => {
  server = await startTestServer();
  const demo = await seedDemo(server.db, pino({ level: 'silent' }));
  workspaceId = demo.workspaceId;
  adminToken = await mintToken(TEST_SECRET, { sub: demo.admin.subject, email: demo.admin.email, name: demo.admin.name });
});
afterAll(() => server.close());

/** Sends an example as the tour does, with the tour's environment; fails on any error. */
async function send(name: string, env: Record<string, string>, token = adminToken): Promise<any> {
  const body = requestBody(join(EXAMPLES, `${name}.graphql`), env);
  const res = await server.gql(body.query, body.variables, token);
  expect(res.errors).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data;
}

it('the tour runs as the README tells it, on the demo workspace', async () => {
  const env: Record<string, string> = {};
  const executed = new Set<string>();
  const run = (name: string, token?: string) => {
    executed.add(name);
    return send(name, env, token);
  };

  const { viewer } = await run('viewer');
  expect(viewer.email).toBe('ada@demo.example');
  expect(viewer.workspaces).toEqual([{ id: workspaceId, name: 'Demo workspace', viewerRole: 'ADMIN' }]);
  env.WORKSPACE_ID = viewer.workspaces[0].id;

  const people = await run('workspace-users');
  expect(people.workspace.users.totalCount).toBe(6); // the invited and the declined are filtered out
  expect(people.workspace.users.nodes.every((u: any) => u.status === 'JOINED')).toBe(true);
  expect(people.workspace.groups.map((g: any) => g.name).sort()).toEqual(['Annotators', 'Reviewers']);

  const resources = await run('resources');
  expect(resources.workspace.projects.nodes.map((p: any) => p.name).sort()).toEqual(['Chest X-rays', 'Street scenes']);
  const dashcam = resources.workspace.datasets.nodes.find((d: any) => d.name === 'Dashcam 2026');
  expect(dashcam.viewerRole).toBe('ADMIN');
  env.DATASET_ID = dashcam.id;

  env.KEY_EXPIRES_AT = new Date(Date.now() + 90 * 86_400_000).toISOString(); // as the README's tour sets it
  const { createApiKey } = await run('create-api-key');
  expect(createApiKey.key).toMatch(/^wsk_/);
  expect(createApiKey.apiKey).toMatchObject({ scopes: ['JOBS'], expiresAt: env.KEY_EXPIRES_AT });
  const key = createApiKey.key;

  const { startJob } = await run('start-import', key);
  expect(startJob).toMatchObject({ type: 'DATA_IMPORT', status: 'PROCESSING', progress: 0, folder: { name: 'tour/first-import' }, user: { email: 'ada@demo.example' } });
  env.JOB_ID = startJob.id;

  const { reportJobProgress } = await run('report-progress', key);
  expect(reportJobProgress).toMatchObject({ id: env.JOB_ID, status: 'PROCESSING', progress: 0.5 });

  const { completeJob } = await run('complete-job', key);
  expect(completeJob).toMatchObject({ id: env.JOB_ID, status: 'SUCCESS', progress: 1 });
  expect(completeJob.finishedAt).toEqual(expect.any(String));

  const { workspace } = await run('jobs');
  // The demo's failed training, with its details for the 'error details' action.
  expect(workspace.jobs.nodes).toEqual([
    expect.objectContaining({ type: 'MODEL_TRAINING', status: 'ERROR', errorMessage: 'GPU out of memory', errorDetails: expect.stringContaining('CUDA') }),
  ]);
  env.EVENT_CURSOR = workspace.jobs.eventCursor;

  // The feed from that cursor: the next change arrives, and nothing before it.
  executed.add('job-events');
  const feedBody = requestBody(join(EXAMPLES, 'job-events.graphql'), env);
  const client = server.ws(adminToken);
  const events: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe<any>(feedBody, {
      next: (result) => {
        if (result.errors) return reject(new Error(JSON.stringify(result.errors)));
        events.push(result.data.jobEvents);
        if (events.length === 1) resolve();
      },
      error: reject,
      complete: () => undefined,
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const second = await run('start-import', key);
  await done;
  expect(events[0]).toMatchObject({ status: 'PROCESSING', progress: 0, job: { id: second.startJob.id, type: 'DATA_IMPORT', user: { email: 'ada@demo.example' } } });

  // No example is left out of the tour (and so out of this test).
  expect([...executed].sort()).toEqual(exampleNames());
});

function exampleNames(): string[] {
  return readdirSync(EXAMPLES).filter((f) => f.endsWith('.graphql')).map((f) => f.replace(/\.graphql$/, '')).sort();
}

it('the README names every example, and every example it names exists', () => {
  const files = exampleNames();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const named = new Set([...readme.matchAll(/examples\/([\w-]+)\.graphql/g)].map((m) => m[1]));
  expect([...named].sort()).toEqual(files);
  for (const variables of readdirSync(EXAMPLES).filter((f) => f.endsWith('.variables.json'))) {
    expect(files).toContain(variables.replace(/\.variables\.json$/, ''));
  }
});

it('body.cjs names the variable a step needs when it is not set', () => {
  expect(() => requestBody(join(EXAMPLES, 'start-import.graphql'), { WORKSPACE_ID: 'w' })).toThrow(/needs DATASET_ID/);
});
