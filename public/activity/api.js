// The page's GraphQL: plain fetch for queries, and the operations it sends (the invitation page imports request too).

const HTTP_URL = new URL('/graphql', location.href).href;
export const WS_URL = HTTP_URL.replace(/^http/, 'ws');

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** One query over HTTP; throws ApiError with the contract's code (or NETWORK). */
export async function request(token, query, variables = {}) {
  let res;
  try {
    res = await fetch(HTTP_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The service cannot be reached.', 'NETWORK');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The service answered ${res.status}.`, 'HTTP');
  }
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code);
  }
  return body.data;
}

const PERSON = 'id name email';
const JOB_FIELDS = `id type status progress createdAt finishedAt lastReportAt heartbeatSeconds errorMessage errorDetails
  user { ${PERSON} } cancelledBy { ${PERSON} } apiKey { id name }
  project { id name } dataset { id name } folder { id name uri } viewerCan { cancel retry }`;

export const VIEWER = `query ActivityViewer { viewer { id email name workspaces { id name viewerRole } } }`;

export const JOBS = `query ActivityJobs($workspaceId: ID!, $filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
  workspace(id: $workspaceId) {
    id
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      nodes { ${JOB_FIELDS} }
      pageInfo { hasNextPage endCursor }
      totalCount
      eventCursor
    }
  }
}`;

/** The feed's position now: after a reconnect, the page is caught up once it has the event at this cursor. */
export const FEED_HEAD = `query ActivityFeedHead($workspaceId: ID!) { workspace(id: $workspaceId) { id jobs(first: 0) { eventCursor } } }`;

/** The "run by" filter's choices (ADMINs only; the service caps a page at 100). */
export const PEOPLE = `query ActivityPeople($workspaceId: ID!) {
  workspace(id: $workspaceId) { id users(first: 100, orderBy: { field: NAME }) { nodes { ${PERSON} } } }
}`;

/** One job as it is now (a refused action re-reads its row). */
export const JOB = `query ActivityJob($workspaceId: ID!, $id: ID!) { workspace(id: $workspaceId) { id job(id: $id) { ${JOB_FIELDS} } } }`;

export const CANCEL_JOB = `mutation ActivityCancelJob($jobId: ID!) { cancelJob(jobId: $jobId) { ${JOB_FIELDS} } }`;
export const RETRY_JOB = `mutation ActivityRetryJob($jobId: ID!) { retryJob(jobId: $jobId) { ${JOB_FIELDS} } }`;

// Unfiltered on purpose: a job leaving the status filter must still reach the page to leave the table.
export const JOB_EVENTS = `subscription ActivityFeed($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress occurredAt job { ${JOB_FIELDS} } }
}`;
