import { JobFailure, runJob, WorkspaceApi } from '../../examples/worker';
import { runDemo } from '../../src/demo/run-jobs';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';

/** `npm run demo:jobs` (at full speed) and the worker example it is made of, against a test server. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const JOBS = `query($id: ID!) { workspace(id: $id) {
  jobs(first: 50) { nodes { id type status progress errorMessage errorDetails folder { name } user { email } finishedAt } }
  apiKeys { id name } datasets { nodes { name } } projects { nodes { name } } } }`;

it('with a person\'s token: makes an API key and its targets, then runs the four jobs to their ends', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Demo run');
  const lines: string[] = [];
  const result = await runDemo({ url: server.url, token: admin.token, speed: 0, log: (line) => lines.push(line) });

  expect(result.workspaceId).toBe(workspaceId);
  expect(result.key).toMatch(/^wsk_/);
  const byName = Object.fromEntries(result.jobs.map((j) => [j.name, j]));
  expect(Object.fromEntries(result.jobs.map((j) => [j.name, j.status]))).toEqual({
    'import dashcam frames': 'SUCCESS',
    'import vendor labels': 'SUCCESS',
    'train detector': 'ERROR',
    'import archive (cancelled)': 'CANCELLED',
  });

  const { workspace } = (await server.gql(JOBS, { id: workspaceId }, admin.token)).data;
  const jobs = Object.fromEntries(workspace.jobs.nodes.map((j: any) => [j.id, j]));
  expect(workspace.jobs.nodes).toHaveLength(4);
  expect(jobs[byName['import dashcam frames'].id]).toMatchObject({ type: 'DATA_IMPORT', status: 'SUCCESS', progress: 1, folder: { name: expect.stringMatching(/^dashcam\//) } });
  expect(jobs[byName['import vendor labels'].id]).toMatchObject({ type: 'LABEL_IMPORT', status: 'SUCCESS', progress: 1 });
  expect(jobs[byName['train detector'].id]).toMatchObject({
    type: 'MODEL_TRAINING',
    status: 'ERROR',
    progress: 0.5,
    errorMessage: 'Training diverged: the loss became NaN at epoch 6',
    errorDetails: expect.stringContaining('FloatingPointError: loss is NaN'),
  });
  const cancelled = jobs[byName['import archive (cancelled)'].id];
  expect(cancelled).toMatchObject({ type: 'DATA_IMPORT', status: 'CANCELLED' });
  expect(cancelled.progress).toBeCloseTo(0.35, 5); // it stopped at the first report after the cancel
  // Every job ran as the key's maker, through the key.
  expect(workspace.jobs.nodes.every((j: any) => j.user.email === admin.email && j.finishedAt)).toBe(true);
  // The JOBS key it made is revoked when it ends, and so works no more.
  expect(workspace.apiKeys).toEqual([]);
  expect((await server.gql(`{ viewer { id } }`, {}, result.key)).status).toBe(401);
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^made the JOBS API key "demo:jobs /), expect.stringMatching(/^revoked the API key /)]));
  const [made] = await server.db.query(`SELECT scopes, expires_at FROM api_keys WHERE workspace_id = $1`, [workspaceId]);
  expect(made.scopes).toEqual(['JOBS']);
  expect(made.expires_at).not.toBeNull();
  expect(workspace.datasets.nodes).toEqual([{ name: 'Demo imports' }]);
  expect(workspace.projects.nodes).toEqual([{ name: 'Demo training' }]);
  expect(lines.some((l) => l.includes('/activity/'))).toBe(true);
});

it('with a JOBS API key: runs in the key\'s workspace on what is there, making nothing', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Keyed');
  const make = async (field: string, name: string) =>
    (await server.gql(`mutation($input: CreateResourceInput!) { ${field}(input: $input) { id } }`, { input: { workspaceId, name } }, admin.token)).data[field].id;
  await make('createDataset', 'Frames');
  await make('createProject', 'Boxes');
  const key = (
    await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { workspaceId, name: 'ci', scopes: ['JOBS'] } }, admin.token)
  ).data.createApiKey.key;

  const result = await runDemo({ url: server.url, key, speed: 0, log: () => undefined });

  expect(result.workspaceId).toBe(workspaceId);
  expect(result.jobs.map((j) => j.status).sort()).toEqual(['CANCELLED', 'ERROR', 'SUCCESS', 'SUCCESS']);
  const { workspace } = (await server.gql(JOBS, { id: workspaceId }, admin.token)).data;
  expect(workspace.datasets.nodes).toEqual([{ name: 'Frames' }]);
  expect(workspace.projects.nodes).toEqual([{ name: 'Boxes' }]);
  expect(workspace.apiKeys).toHaveLength(1);
});

it('names the address it could not reach', async () => {
  // A port nothing listens on: one the OS gave out and took back.
  const probe = (await import('node:net')).createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((resolve) => probe.close(resolve));
  const url = `http://127.0.0.1:${port}/graphql`;
  await expect(runDemo({ url, token: 'x', speed: 0, log: () => undefined })).rejects.toThrow(`could not reach ${url} (ECONNREFUSED)`);
});

it('refuses to start without credentials', async () => {
  await expect(runDemo({ url: server.url, speed: 0, log: () => undefined })).rejects.toThrow(/no credentials/);
});

it('the worker example throttles its reports and fails a broken job with its details', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Worker');
  const dataset = (await server.gql(`mutation($input: CreateResourceInput!) { createDataset(input: $input) { id } }`, { input: { workspaceId, name: 'D' } }, admin.token)).data
    .createDataset.id;
  const api = new WorkspaceApi(server.url, admin.token);

  // Reports are throttled (whole percents, growing) and a thrown JobFailure becomes failJob.
  const sent: number[] = [];
  const status = await runJob(api, { workspaceId, type: 'DATA_IMPORT', datasetId: dataset }, async (job) => {
    for (const p of [0.001, 0.2, 0.2, 0.1, 0.5]) await job.progress(p);
    throw new JobFailure('disk full', 'ENOSPC: no space left on device');
  }, { minIntervalMs: 0, onChange: (j) => sent.push(j.progress) });
  expect(status).toBe('ERROR');
  expect(sent).toEqual([0, 0.2, 0.5, 0.5]); // start, two reports, the failure
  const { workspace } = (await server.gql(JOBS, { id: workspaceId }, admin.token)).data;
  expect(workspace.jobs.nodes[0]).toMatchObject({ status: 'ERROR', progress: 0.5, errorMessage: 'disk full', errorDetails: 'ENOSPC: no space left on device' });
});
