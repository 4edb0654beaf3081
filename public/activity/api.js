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

const JOB_FIELDS = `id type status progress createdAt finishedAt errorMessage errorDetails
  user { id name email } project { id name } dataset { id name } folder { id name }`;

export const VIEWER = `query ActivityViewer { viewer { id email name workspaces { id name viewerRole } } }`;

export const JOBS = `query ActivityJobs($workspaceId: ID!, $filter: JobFilter, $first: Int, $after: String) {
  workspace(id: $workspaceId) {
    id
    jobs(filter: $filter, first: $first, after: $after) {
      nodes { ${JOB_FIELDS} }
      pageInfo { hasNextPage endCursor }
      totalCount
      eventCursor
    }
  }
}`;

// Unfiltered on purpose: a job leaving the status filter must still reach the page to leave the table.
export const JOB_EVENTS = `subscription ActivityFeed($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress occurredAt job { ${JOB_FIELDS} } }
}`;
