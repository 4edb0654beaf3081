/**
 * How a real worker reports a job to workspace-api: a small, complete example.
 *
 * A worker (an importer, a trainer) holds an API key of the workspace it works for, made once
 * with the createApiKey mutation with `scopes: [JOBS]` (and best an `expiresAt`): it acts as the
 * person who made it, in that workspace only, and may read and run jobs but change nothing else,
 * so a leaked worker key cannot invite people or hand out roles.
 * For each piece of work it
 *   1. starts a job:            startJob(input: { workspaceId, type, datasetId | projectId })
 *   2. reports progress (0..1):  reportJobProgress(input: { jobId, progress }), only ever growing;
 *                                throttled here to one call every half second or so,
 *   3. ends it:                  completeJob(jobId), or failJob(input: { jobId, errorMessage,
 *                                errorDetails }) with what a person needs to fix it.
 * Someone may cancel the job meanwhile (cancelJob, from the Activity Center or the API): the
 * next report then fails with INVARIANT and `extensions.status: "CANCELLED"`, and the worker
 * stops its work. Every change reaches the Activity Center's live feed (jobEvents) at once.
 *
 * Run it against a running service (`npm start`), e.g. to import into a dataset:
 *   npm run build
 *   WSAPI_URL=http://localhost:4000/graphql WSAPI_KEY=wsk_... WSAPI_WORKSPACE_ID=... \
 *   WSAPI_DATASET_ID=... node dist/examples/worker.js
 * Only `fetch` is needed (Node 18+); nothing here depends on the service's code.
 */

export type JobType = 'DATA_IMPORT' | 'LABEL_IMPORT' | 'MODEL_TRAINING';
export type JobStatus = 'PROCESSING' | 'SUCCESS' | 'ERROR' | 'CANCELLED';

/** An error the API answered, with its contract code (BAD_USER_INPUT, INVARIANT, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The job was cancelled while the worker was at it: stop, do not complete or fail it. */
export class JobCancelled extends Error {}

/** A minimal GraphQL client: POST /graphql with the API key as a bearer token. */
export class WorkspaceApi {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
    }).catch((error: Error & { cause?: { code?: string } }) => {
      // fetch says only "fetch failed": name the address and the reason.
      throw new Error(`could not reach ${this.url} (${error.cause?.code ?? error.message})`);
    });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new ApiError(first.message, first.extensions?.code as string | undefined, first.extensions);
    }
    return body.data as T;
  }
}

export interface StartJobInput {
  workspaceId: string;
  type: JobType;
  projectId?: string;
  datasetId?: string;
  folderName?: string;
}

/** What the work function gets: the job's id and a way to report how far it is. */
export interface RunningJob {
  readonly id: string;
  /** Reports progress (0..1). Throttled; lower values than before are ignored. Throws JobCancelled. */
  progress(fraction: number): Promise<void>;
}

export interface RunOptions {
  /** Report at most this often (the last report before the end always goes). */
  minIntervalMs?: number;
  /** Called after every change the worker made (for logs). */
  onChange?: (job: { id: string; status: JobStatus; progress: number }) => void;
}

/** Thrown by work to fail the job with details (a log excerpt, the failing input, ...). */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

/**
 * Starts a job, runs `work` with a progress reporter, then completes it; a thrown error fails
 * it (its message and details, or its stack, become the job's error); a cancellation stops it.
 * Answers the job's final status.
 */
export async function runJob(api: WorkspaceApi, input: StartJobInput, work: (job: RunningJob) => Promise<void>, options: RunOptions = {}): Promise<JobStatus> {
  const minInterval = options.minIntervalMs ?? 500;
  const { startJob: job } = await api.request<{ startJob: { id: string; status: JobStatus; progress: number } }>(
    `mutation StartJob($input: StartJobInput!) { startJob(input: $input) { id status progress } }`,
    { input },
  );
  options.onChange?.(job);
  let reported = 0;
  let lastReportAt = 0;

  const running: RunningJob = {
    id: job.id,
    progress: async (fraction) => {
      const value = Math.min(1, Math.max(0, fraction));
      // Whole percents, growing, not more often than minInterval: the feed is for people, not a log.
      if (Math.floor(value * 100) <= Math.floor(reported * 100)) return;
      if (Date.now() - lastReportAt < minInterval && value < 1) return;
      try {
        const { reportJobProgress: now } = await api.request(
          `mutation ReportProgress($input: JobProgressInput!) { reportJobProgress(input: $input) { id status progress } }`,
          { input: { jobId: job.id, progress: value } },
        );
        reported = value;
        lastReportAt = Date.now();
        options.onChange?.(now);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'INVARIANT' && error.extensions.status === 'CANCELLED') throw new JobCancelled('the job was cancelled');
        throw error;
      }
    },
  };

  try {
    await work(running);
  } catch (error) {
    if (error instanceof JobCancelled) {
      options.onChange?.({ id: job.id, status: 'CANCELLED', progress: reported });
      return 'CANCELLED';
    }
    const message = error instanceof Error ? error.message : String(error);
    const details = error instanceof JobFailure ? error.details : error instanceof Error ? error.stack : undefined;
    const { failJob } = await api.request(
      `mutation FailJob($input: FailJobInput!) { failJob(input: $input) { id status progress } }`,
      { input: { jobId: job.id, errorMessage: message.slice(0, 1000), errorDetails: details?.slice(0, 20_000) ?? null } },
    );
    options.onChange?.(failJob);
    return 'ERROR';
  }
  try {
    const { completeJob } = await api.request(`mutation CompleteJob($jobId: ID!) { completeJob(jobId: $jobId) { id status progress } }`, { jobId: job.id });
    options.onChange?.(completeJob);
    return 'SUCCESS';
  } catch (error) {
    // Cancelled after the last report, just before the end: it stays cancelled.
    if (error instanceof ApiError && error.code === 'INVARIANT' && error.extensions.status === 'CANCELLED') return 'CANCELLED';
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The example's work: "import" 40 files into a dataset's storage folder, a little at a time. */
async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name} (see the comment at the top of examples/worker.ts)`);
    return value;
  };
  const api = new WorkspaceApi(process.env.WSAPI_URL ?? 'http://localhost:4000/graphql', env('WSAPI_KEY'));
  const files = Array.from({ length: 40 }, (_, i) => `frame-${String(i).padStart(5, '0')}.jpg`);
  const status = await runJob(
    api,
    { workspaceId: env('WSAPI_WORKSPACE_ID'), type: 'DATA_IMPORT', datasetId: env('WSAPI_DATASET_ID'), folderName: 'worker-example' },
    async (job) => {
      for (const [i, file] of files.entries()) {
        await sleep(100); // the real work: copy `file` to storage, index it, ...
        if (file.endsWith('99999.jpg')) throw new JobFailure(`could not read ${file}`, `${file}: unexpected end of JPEG data`);
        await job.progress((i + 1) / files.length);
      }
    },
    { onChange: (job) => console.log(`${job.id} ${job.status} ${Math.round(job.progress * 100)}%`) },
  );
  console.log(`finished: ${status}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
