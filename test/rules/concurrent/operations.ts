import type { TestServer } from '../../support/harness';
import { run } from '../property/api';
import type { Kind as SequentialKind, PoolPerson, Resolved } from '../property/steps';

/**
 * The mutations a batch sends: their kinds (the sequential test's and the extra ones), how
 * often each theme picks them, one call as sent, and the GraphQL of each.
 */

/** Mutations the sequential test does not send, made here. */
export type ExtraKind =
  | 'reportJobProgress'
  | 'completeJob'
  | 'revokeApiKey'
  | 'createProjectTag'
  | 'deleteProjectTag'
  | 'setProjectTags'
  | 'createIssueTag'
  | 'deleteIssueTag'
  | 'createIssue'
  | 'resolveIssue'
  | 'updateWorkspace';
export type AnyKind = SequentialKind | ExtraKind;
/** The kinds the sequential test sends (resolved by property/steps.ts, sent as property/api.ts sends them). */
export const SEQUENTIAL = new Set<string>([
  'createResource', 'assignUser', 'unassignUser', 'assignGroup', 'unassignGroup', 'createGroup', 'updateGroup', 'deleteGroup', 'addGroupMembers',
  'removeGroupMembers', 'addGroupManagers', 'removeGroupManagers', 'inviteUsers', 'acceptInvitation', 'declineInvitation', 'changeUserRole',
  'removeUser', 'startJob', 'cancelJob', 'failJob', 'retryJob', 'createApiKey',
]);

/** How often a `mixed` batch picks each kind. */
const MIXED: Record<AnyKind, number> = {
  createResource: 2, assignUser: 5, unassignUser: 3, assignGroup: 4, unassignGroup: 2, createGroup: 2, updateGroup: 3, deleteGroup: 1,
  addGroupMembers: 3, removeGroupMembers: 3, addGroupManagers: 2, removeGroupManagers: 2, inviteUsers: 2, acceptInvitation: 2,
  declineInvitation: 1, changeUserRole: 3, removeUser: 2, startJob: 3, cancelJob: 2, failJob: 1, retryJob: 2, createApiKey: 1,
  reportJobProgress: 3, completeJob: 2, revokeApiKey: 1, createProjectTag: 1, deleteProjectTag: 1, setProjectTags: 2, createIssueTag: 1,
  deleteIssueTag: 1, createIssue: 2, resolveIssue: 1, updateWorkspace: 1,
};
const ALL_KINDS = Object.keys(MIXED) as AnyKind[];
const low = (w: number) => Object.fromEntries(ALL_KINDS.map((k) => [k, w])) as Record<AnyKind, number>;
export type Theme = 'mixed' | 'group' | 'person' | 'jobs';
/** How often each theme picks each kind. */
export const THEMES: Record<Theme, Record<AnyKind, number>> = {
  mixed: MIXED,
  group: {
    ...low(0.2), assignGroup: 6, unassignGroup: 2, removeGroupMembers: 6, addGroupMembers: 4, updateGroup: 3, deleteGroup: 0.5,
    addGroupManagers: 2, removeGroupManagers: 2, assignUser: 2, unassignUser: 1, changeUserRole: 1, removeUser: 1, updateWorkspace: 1,
  },
  person: MIXED,
  jobs: {
    ...low(0.2), startJob: 3, reportJobProgress: 5, completeJob: 3, failJob: 2, cancelJob: 3, retryJob: 3, removeUser: 1, revokeApiKey: 1,
    createApiKey: 1, unassignUser: 1,
  },
};

/** One call of a batch: who sends what, and how to read its answer. */
export interface Call {
  kind: AnyKind;
  actor: PoolPerson;
  /** Sent with an API key (as the key's maker) instead of the actor's token. */
  key?: { id: string; secret: string; liveBefore: boolean };
  query: string;
  variables: Record<string, unknown>;
  text: string;
  /** The resolved step (sequential kinds), for the effects. */
  r?: Resolved;
  /** Extra kinds: the objects named. */
  on: { jobId?: string; keyId?: string; tagId?: string; projectId?: string; tagIds?: string[]; issueId?: string; progress?: number; domains?: string[]; name?: string; projectTagScope?: string | null };
}

/** The GraphQL of the extra kinds, and of createApiKey asking for its secret too. */
export const MUTATIONS = {
  reportJobProgress: `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id } }`,
  completeJob: `mutation($id: ID!) { completeJob(jobId: $id) { id } }`,
  revokeApiKey: `mutation($id: ID!) { revokeApiKey(id: $id) }`,
  createApiKey: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`,
  createProjectTag: `mutation($input: CreateTagInput!) { createProjectTag(input: $input) { id } }`,
  deleteProjectTag: `mutation($id: ID!) { deleteProjectTag(id: $id) }`,
  setProjectTags: `mutation($input: SetProjectTagsInput!) { setProjectTags(input: $input) { id } }`,
  createIssueTag: `mutation($input: CreateIssueTagInput!) { createIssueTag(input: $input) { id } }`,
  deleteIssueTag: `mutation($id: ID!) { deleteIssueTag(id: $id) }`,
  createIssue: `mutation($input: CreateIssueInput!) { createIssue(input: $input) { id } }`,
  resolveIssue: `mutation($id: ID!) { resolveIssue(id: $id) { id } }`,
  updateWorkspace: `mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id } }`,
};

/** The operation and variables run() (property/api.ts) would send for a resolved step, without sending it. */
export function sequentialCall(workspaceId: string, r: Resolved): { query: string; variables: Record<string, unknown> } {
  let sent: { query: string; variables: Record<string, unknown> } | undefined;
  const recorder = { gql: (query: string, variables: Record<string, unknown>) => ((sent = { query, variables }), Promise.resolve({ status: 0 })) };
  void run(recorder as unknown as TestServer, workspaceId, r);
  if (r.kind === 'createApiKey') sent = { query: MUTATIONS.createApiKey, variables: sent!.variables }; // the secret too, to use the key later
  return sent!;
}
