/**
 * Steady load for the frozen-connections test: workers report job progress through the API
 * (each report is a job event; a job takes up to 999 of them), and /readyz is polled alongside.
 * Every request is recorded: when it started, how long it took, how it answered.
 */
export interface Request {
  at: number;
  ms: number;
  ok: boolean;
  /** The first error's code, or `transport: <name>` when no GraphQL answer came. */
  code?: string;
  status?: number;
  /** An acknowledged report: this job's progress must be in the log. */
  jobId?: string;
  progress?: number;
}

export interface Load {
  requests: Request[];
  readyz: Array<{ at: number; status: number }>;
  stop(): Promise<void>;
}

const START_JOB = `mutation($input: StartJobInput!) { startJob(input: $input) { id } }`;
const REPORT_PROGRESS = `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id progress } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function post(baseUrl: string, token: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
  return { status: res.status, ...body };
}

export function startLoad(options: {
  baseUrl: string;
  token: string;
  workspaceId: string;
  projectId: string;
  workers: number;
  pauseMs: number;
  /** The test's clock (ms). */
  now: () => number;
}): Load {
  const { baseUrl, token, now } = options;
  const requests: Request[] = [];
  const readyz: Load['readyz'] = [];
  let running = true;

  const call = async (query: string, variables: Record<string, unknown>): Promise<{ request: Request; data?: any }> => {
    const request: Request = { at: now(), ms: 0, ok: false };
    requests.push(request);
    try {
      const res = await post(baseUrl, token, query, variables);
      request.ms = now() - request.at;
      request.status = res.status;
      request.ok = !res.errors && res.data != null;
      if (!request.ok) request.code = res.errors?.[0]?.extensions?.code ?? 'no code';
      return { request, data: res.data };
    } catch (error) {
      request.ms = now() - request.at;
      request.code = `transport: ${(error as Error).name}`;
      return { request };
    }
  };

  const worker = async () => {
    let jobId: string | null = null;
    let step = 0;
    while (running) {
      if (!jobId || step >= 999) {
        const { request, data } = await call(START_JOB, { input: { workspaceId: options.workspaceId, type: 'MODEL_TRAINING', projectId: options.projectId } });
        if (request.ok) [jobId, step] = [data.startJob.id as string, 0];
      } else {
        // A report that failed may have committed: the next one goes higher, never repeats it.
        const progress = ++step / 1000;
        const { request } = await call(REPORT_PROGRESS, { input: { jobId, progress } });
        if (request.ok) Object.assign(request, { jobId, progress });
      }
      await sleep(options.pauseMs);
    }
  };

  // Every 100 ms, not waiting for the answer before: a slow answer hides no window.
  const polls: Promise<void>[] = [];
  const poll = async () => {
    while (running) {
      const at = now();
      polls.push(
        fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
          (res) => void readyz.push({ at, status: res.status }),
          () => void readyz.push({ at, status: 0 }),
        ),
      );
      await sleep(100);
    }
    await Promise.all(polls);
    readyz.sort((a, b) => a.at - b.at);
  };

  const all = Promise.all([...Array.from({ length: options.workers }, worker), poll()]);
  return {
    requests,
    readyz,
    stop: async () => {
      running = false;
      await all;
    },
  };
}
