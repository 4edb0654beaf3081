import { parseArgs } from 'node:util';
import { JobFailure, runJob, WorkspaceApi, type JobStatus, type JobType } from '../../examples/worker';
import { mintToken } from '../dev-token';

/**
 * `npm run demo:jobs`: drives realistic jobs through the public API with an API key, so the
 * Activity Center (/activity) has something to show: two imports that progress and succeed, a
 * model training that fails with details, and an import that someone cancels halfway.
 *
 * Credentials, first found wins:
 *   --key wsk_...  (or WSAPI_KEY)      an API key (JOBS is enough): used as is, in its workspace;
 *   --token <jwt>  (or WSAPI_TOKEN)    a person's token (e.g. the one `npm start` prints): a
 *                                      JOBS API key is made with it first, and revoked when the
 *                                      demo ends (Ctrl-C too);
 *   AUTH_JWT_SECRET                    the service's secret: signs a development token for the
 *                                      demo ADMIN (ada@demo.example), then as above.
 * --url (WSAPI_URL, default http://localhost:$PORT/graphql, PORT 4000), --workspace <id> (default: the
 * demo workspace, or the first one the person administers), --speed <factor> (default 1).
 */

export interface DemoOptions {
  url: string;
  key?: string;
  token?: string;
  workspaceId?: string;
  /** 1 = a realistic pace (about 10 s in all); 0 = as fast as the API answers (tests). */
  speed?: number;
  log?: (line: string) => void;
}

export interface DemoResult {
  workspaceId: string;
  /** The API key the jobs ran with (made here when none was given, and then revoked by the end). */
  key: string;
  jobs: Array<{ name: string; id: string; type: JobType; status: JobStatus }>;
}

const DEMO_ADMIN = { sub: 'demo|ada', email: 'ada@demo.example', name: 'Ada Admin' };

/** A made key's safety net: should the demo die without revoking it (kill -9), it stops working within this. */
const DEMO_KEY_LIFETIME_MS = 60 * 60_000;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.key) return runJobs(options, log, options.key, null);
  if (!options.token) throw new Error('no credentials: pass --key, --token, or set AUTH_JWT_SECRET to the service\'s secret');
  const person = new WorkspaceApi(options.url, options.token);
  const workspaceId = options.workspaceId ?? (await pickWorkspace(person));
  // A worker needs JOBS and nothing more: the key made here can start and report jobs, not manage the workspace.
  const { createApiKey: made } = await person.request(
    `mutation DemoKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name } } }`,
    {
      input: {
        workspaceId,
        name: `demo:jobs ${new Date().toISOString().slice(0, 16)}`,
        scopes: ['JOBS'],
        expiresAt: new Date(Date.now() + DEMO_KEY_LIFETIME_MS).toISOString(),
      },
    },
  );
  log(`made the JOBS API key "${made.apiKey.name}"; it is revoked when the demo ends`);
  let revoked: Promise<void> | undefined;
  const revoke = () =>
    (revoked ??= person
      .request(`mutation DemoRevokeKey($id: ID!) { revokeApiKey(id: $id) }`, { id: made.apiKey.id })
      .then(() => log(`revoked the API key "${made.apiKey.name}"`)));
  const interrupted = () => void revoke().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    return await runJobs({ ...options, workspaceId }, log, made.key as string, person);
  } finally {
    process.off('SIGINT', interrupted);
    await revoke();
  }
}

/** The four jobs, run with `key`; `person` (when a token was given) makes a missing dataset or project. */
async function runJobs(options: DemoOptions, log: (line: string) => void, key: string, person: WorkspaceApi | null): Promise<DemoResult> {
  const speed = options.speed ?? 1;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms * speed * (0.7 + Math.random() * 0.6)));
  const api = new WorkspaceApi(options.url, key);
  const workspaceId = options.workspaceId ?? (await pickWorkspace(api));
  const { datasetId, projectId } = await targets(api, workspaceId, person ?? api);
  log(`running demo jobs in workspace ${workspaceId}; watch them at ${new URL('/activity/', options.url).href}`);

  const jobs: DemoResult['jobs'] = [];
  const onChange = (name: string) => (job: { id: string; status: JobStatus; progress: number }) =>
    log(`${name.padEnd(26)} ${job.status.padEnd(10)} ${String(Math.round(job.progress * 100)).padStart(3)}%`);
  const run = async (name: string, startAfterMs: number, type: JobType, input: { datasetId?: string; projectId?: string; folderName?: string }, work: Parameters<typeof runJob>[2]) => {
    await pause(startAfterMs);
    let id = '';
    const status = await runJob(api, { workspaceId, type, ...input }, (job) => {
      id = job.id;
      return work(job);
    }, { minIntervalMs: 200 * speed, onChange: onChange(name) });
    jobs.push({ name, id, type, status });
  };
  const stamp = new Date().toISOString().slice(0, 10);

  await Promise.all([
    // An import of camera frames: steady progress, then done.
    run('import dashcam frames', 0, 'DATA_IMPORT', { datasetId, folderName: `dashcam/${stamp}` }, async (job) => {
      for (let batch = 1; batch <= 12; batch++) {
        await pause(600);
        await job.progress(batch / 12);
      }
    }),
    // Labels from an outside vendor: fewer, slower steps.
    run('import vendor labels', 1_500, 'LABEL_IMPORT', { projectId }, async (job) => {
      for (let file = 1; file <= 6; file++) {
        await pause(1_100);
        await job.progress(file / 6);
      }
    }),
    // A training run that diverges at epoch 6 of 10.
    run('train detector', 800, 'MODEL_TRAINING', { projectId }, async (job) => {
      const lines: string[] = [];
      for (let epoch = 1; epoch <= 10; epoch++) {
        await pause(900);
        const loss = epoch < 6 ? (1.8 / epoch).toFixed(3) : 'nan';
        lines.push(`epoch ${epoch}/10  train_loss=${loss}  lr=${(0.001 * 0.9 ** epoch).toFixed(5)}`);
        if (loss === 'nan') {
          throw new JobFailure(
            `Training diverged: the loss became NaN at epoch ${epoch}`,
            [...lines, '', 'FloatingPointError: loss is NaN', '  at trainer.step (train.py:214)', 'Hint: lower the learning rate or enable gradient clipping.'].join('\n'),
          );
        }
        await job.progress(epoch / 10);
      }
    }),
    // An import someone cancels halfway (here: this runner, as a person would from the API).
    run('import archive (cancelled)', 2_500, 'DATA_IMPORT', { datasetId, folderName: `archive/${stamp}` }, async (job) => {
      for (let batch = 1; batch <= 20; batch++) {
        await pause(450);
        if (batch === 8) await api.request(`mutation Cancel($jobId: ID!) { cancelJob(jobId: $jobId) { id status } }`, { jobId: job.id });
        await job.progress(batch / 20);
      }
    }),
  ]);
  for (const job of jobs) log(`done: ${job.name} -> ${job.status}`);
  return { workspaceId, key, jobs };
}

/** The demo workspace when the person is in it, else the first workspace they administer (or are in). */
async function pickWorkspace(api: WorkspaceApi): Promise<string> {
  const { viewer } = await api.request(`query DemoWorkspaces { viewer { workspaces { id name viewerRole } } }`);
  const workspaces: Array<{ id: string; name: string; viewerRole: string }> = viewer.workspaces;
  const chosen =
    workspaces.find((w) => w.name === 'Demo workspace' && w.viewerRole === 'ADMIN') ??
    workspaces.find((w) => w.viewerRole === 'ADMIN') ??
    workspaces[0];
  if (!chosen) throw new Error('the token\'s person has joined no workspace: pass --workspace or create one');
  return chosen.id;
}

/** A dataset the key may import into and a project it may train on; made (by `maker`) when there is none. */
async function targets(api: WorkspaceApi, workspaceId: string, maker: WorkspaceApi): Promise<{ datasetId: string; projectId: string }> {
  const { workspace } = await api.request(
    `query DemoTargets($id: ID!) { workspace(id: $id) {
       datasets(first: 100) { nodes { id viewerRole } }
       projects(first: 100) { nodes { id viewerRole } } } }`,
    { id: workspaceId },
  );
  if (!workspace) throw new Error(`no workspace ${workspaceId} for this key`);
  const make = async (mutation: 'createDataset' | 'createProject', name: string) =>
    (await maker.request(`mutation DemoTarget($input: CreateResourceInput!) { ${mutation}(input: $input) { id } }`, { input: { workspaceId, name } }))[mutation]
      .id as string;
  const dataset = workspace.datasets.nodes.find((d: any) => d.viewerRole === 'ADMIN');
  const project = workspace.projects.nodes.find((p: any) => p.viewerRole === 'ADMIN' || p.viewerRole === 'TEAM_MANAGER');
  return {
    datasetId: dataset?.id ?? (await make('createDataset', 'Demo imports')),
    projectId: project?.id ?? (await make('createProject', 'Demo training')),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      token: { type: 'string' },
      workspace: { type: 'string' },
      speed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run demo:jobs -- [--url http://localhost:4000/graphql] [--key wsk_... | --token <jwt>] [--workspace <id>] [--speed 1]');
    console.log('The URL defaults to WSAPI_URL, else http://localhost:$PORT/graphql (PORT 4000).');
    console.log('Without --key or --token, AUTH_JWT_SECRET (the service\'s) signs a token for the demo ADMIN.');
    return;
  }
  const key = values.key ?? process.env.WSAPI_KEY;
  let token = values.token ?? process.env.WSAPI_TOKEN;
  if (!key && !token && process.env.AUTH_JWT_SECRET) token = await mintToken(process.env.AUTH_JWT_SECRET, DEMO_ADMIN, '1h');
  const speed = Number(values.speed ?? process.env.DEMO_SPEED ?? 1);
  if (!Number.isFinite(speed) || speed < 0) throw new Error('--speed must be a number >= 0');
  // The service's own PORT when no URL is given: `PORT=5000 npm start` and `PORT=5000 npm run demo:jobs` meet.
  const url = values.url ?? process.env.WSAPI_URL ?? `http://localhost:${process.env.PORT ?? 4000}/graphql`;
  await runDemo({ url, key, token, workspaceId: values.workspace, speed });
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`demo:jobs: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
