import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import type { Person } from '../support/fixtures';
import type { GqlResult, TestServer } from '../support/harness';

export type ResourceRole = 'ADMIN' | 'TEAM_MANAGER' | 'REVIEWER' | 'ANNOTATOR' | 'ANNOTATOR_REVIEWER' | 'USER';
export type JobType = 'DATA_IMPORT' | 'MODEL_TRAINING' | 'LABEL_IMPORT';

export const JOB_FIELDS = `id type status progress errorMessage errorDetails createdAt updatedAt finishedAt
  user { id email } project { id name } dataset { id name } folder { id name } retryOf { id status }`;

export const START_JOB = `mutation($input: StartJobInput!) { startJob(input: $input) { ${JOB_FIELDS} } }`;
export const REPORT_PROGRESS = `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id status progress } }`;
export const COMPLETE_JOB = `mutation($jobId: ID!) { completeJob(jobId: $jobId) { id status progress finishedAt } }`;
export const FAIL_JOB = `mutation($input: FailJobInput!) { failJob(input: $input) { id status progress errorMessage errorDetails finishedAt } }`;
export const CANCEL_JOB = `mutation($jobId: ID!) { cancelJob(jobId: $jobId) { id status finishedAt } }`;
export const RETRY_JOB = `mutation($jobId: ID!) { retryJob(jobId: $jobId) { ${JOB_FIELDS} } }`;
export const JOBS = `query($id: ID!, $filter: JobFilter, $first: Int, $after: String) {
  workspace(id: $id) { jobs(filter: $filter, first: $first, after: $after) { nodes { id type status user { id } } pageInfo { hasNextPage endCursor } totalCount eventCursor } } }`;

export const FEED = `subscription($workspaceId: ID!, $filter: JobFilter, $after: String) {
  jobEvents(workspaceId: $workspaceId, filter: $filter, after: $after) { cursor status progress occurredAt job { id type status user { id } } } }`;

/** Fails the test with the errors when a result has any. */
export function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors || !res.data) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A project or dataset made through the API; `person` becomes its ADMIN. */
export async function createResource(server: TestServer, person: Person, workspaceId: string, type: 'PROJECT' | 'DATASET'): Promise<string> {
  const field = type === 'PROJECT' ? 'createProject' : 'createDataset';
  const res = await server.gql(`mutation($input: CreateResourceInput!) { ${field}(input: $input) { id } }`, {
    input: { workspaceId, name: `${type.toLowerCase()} ${randomUUID().slice(0, 6)}` },
  }, person.token);
  return ok(res)[field].id;
}

/** Gives a person a role on a resource through the API (by a workspace ADMIN). */
export async function assign(server: TestServer, admin: Person, workspaceId: string, person: Person, type: 'PROJECT' | 'DATASET', resourceId: string, role: ResourceRole) {
  ok(
    await server.gql(`mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, {
      input: { workspaceId, userId: person.id, resourceType: type, resourceIds: [resourceId], role },
    }, admin.token),
  );
}

export async function changeRole(server: TestServer, admin: Person, workspaceId: string, person: Person, role: string) {
  ok(await server.gql(`mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { role } }`, { input: { workspaceId, userId: person.id, role } }, admin.token));
}

export async function removeUser(server: TestServer, admin: Person, workspaceId: string, person: Person) {
  ok(await server.gql(`mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId } }`, { input: { workspaceId, userId: person.id } }, admin.token));
}

export function startJob(server: TestServer, person: Person, input: Record<string, unknown>): Promise<GqlResult> {
  return server.gql(START_JOB, { input }, person.token);
}

/** Starts a job and answers it (fails the test on errors). */
export async function started(server: TestServer, person: Person, input: Record<string, unknown>): Promise<any> {
  return ok(await startJob(server, person, input)).startJob;
}

export async function progress(server: TestServer, person: Person, jobId: string, value: number): Promise<GqlResult> {
  return server.gql(REPORT_PROGRESS, { input: { jobId, progress: value } }, person.token);
}

/** The feed's current position for a person, through workspace.jobs. */
export async function eventCursor(server: TestServer, person: Person, workspaceId: string): Promise<string> {
  return ok(await server.gql(JOBS, { id: workspaceId, first: 0 }, person.token)).workspace.jobs.eventCursor;
}

export interface FeedEvent {
  cursor: string;
  status: string;
  progress: number;
  occurredAt: string;
  job: { id: string; type: string; status: string; user: { id: string } };
}

/** A subscription to the feed that keeps what it receives. */
export interface Feed<E = FeedEvent> {
  readonly events: E[];
  readonly errors: unknown[];
  readonly completed: boolean;
  /** Waits until `n` events arrived (or the feed failed or ended); rejects after the timeout. */
  until(n: number, timeoutMs?: number): Promise<E[]>;
  /** Waits until the feed fails or ends. */
  ended(timeoutMs?: number): Promise<void>;
  dispose(): void;
}

export function subscribe<E = FeedEvent>(client: Client, variables: Record<string, unknown>, query = FEED): Feed<E> {
  const events: E[] = [];
  const errors: unknown[] = [];
  let completed = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const dispose = client.subscribe<any>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        else events.push(result.data.jobEvents ?? result.data);
        poke();
      },
      error: (error) => {
        errors.push(error);
        poke();
      },
      complete: () => {
        completed = true;
        poke();
      },
    },
  );
  const waitFor = async (done: () => boolean, timeoutMs: number, what: () => string) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what()}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 200));
      });
    }
  };
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    until: async (n, timeoutMs = 15_000) => {
      await waitFor(() => events.length >= n || errors.length > 0 || completed, timeoutMs, () => `${n} events (have ${events.length})`);
      return events;
    },
    ended: (timeoutMs = 15_000) => waitFor(() => errors.length > 0 || completed, timeoutMs, () => 'the feed to end'),
    dispose,
  };
}

/** The extensions of a feed's first error (sent as a `next` with errors, or as an `error` message). */
export function firstError(feed: Feed<unknown>): Record<string, any> | undefined {
  const first = feed.errors[0] as any;
  return (Array.isArray(first) ? first[0] : first)?.extensions;
}

/** Waits a little to let anything that should NOT arrive arrive. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seq inside a cursor (tests only: clients treat cursors as opaque). */
export function seqOf(cursor: string): number {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))[1];
}
