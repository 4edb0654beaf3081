import { loader, type Context } from '../server/context';
import { JOB_TYPES, type JobStatus, type JobType } from '../modules/jobs/job.entity';
import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import { WORKSPACE_ROLES, type WorkspaceRole } from '../modules/users/membership.entity';
import { authorize } from './guard';
import type { RuleName } from './policy';
import { ROLES_BY_RESOURCE_TYPE } from './roles';

/**
 * `viewerCan`: what the viewer may do to an object, asked of the same `authorize` the guard
 * runs before each operation, with the arguments that operation would get. A flag is true
 * exactly when the operation's rule (and the rules its inputs stand for) would let the call
 * through; a state the object is in that forbids it anyway is part of the flag where it is the
 * object's own (a finished job cannot be cancelled), and said where it is not (see each type).
 */
const may = async (ctx: Context, rule: RuleName, parent: unknown, args: Record<string, any>) =>
  (await authorize(ctx, rule, parent, args)) === true;

const filter = async <T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<T[]> => {
  const passes = await Promise.all(items.map(test));
  return items.filter((_item, i) => passes[i]);
};

/**
 * An object's capabilities, computed once per request: a page of assignments names the same
 * few groups and resources thousands of times. (A mutation forgets its request's loaders,
 * this memo with them, so what it answers is asked afresh.)
 */
function once<T>(ctx: Context, key: string, compute: () => Promise<T>): Promise<T> {
  const memo = loader(ctx, capabilityMemo);
  let found = memo.get(key) as Promise<T> | undefined;
  if (!found) memo.set(key, (found = compute()));
  return found;
}
const capabilityMemo = (): Map<string, Promise<unknown>> => new Map();

export async function workspaceCapabilities(ctx: Context, workspaceId: string) {
  const input = { workspaceId };
  const [update, inviteRoles, seeMembers, createResources, createGroup, manageProjectTags, manageIssueTags, seeAuditLog, manageWebhooks] =
    await Promise.all([
      may(ctx, 'updateWorkspace', null, { input }),
      filter(WORKSPACE_ROLES, (role) => may(ctx, 'inviteUsers', null, { input: { ...input, role } })),
      may(ctx, 'seeMembers', { id: workspaceId }, {}),
      may(ctx, 'createResource', null, { input }),
      may(ctx, 'createGroup', null, { input }),
      may(ctx, 'editProjectTags', null, { input }),
      may(ctx, 'createIssueTag', null, { input }),
      may(ctx, 'auditLog', { id: workspaceId }, {}),
      may(ctx, 'createWebhook', null, { input }),
    ]);
  return { update, inviteRoles, seeMembers, createResources, createGroup, manageProjectTags, manageIssueTags, seeAuditLog, manageWebhooks };
}

/** Rules only: the last ADMIN keeping the role, and a manager not becoming a TASKER, are the operation's to say. */
export function userCapabilities(ctx: Context, person: { workspaceId: string; id: string; role: WorkspaceRole }) {
  return once(ctx, `user:${person.workspaceId}:${person.id}:${person.role}`, () => computeUserCapabilities(ctx, person));
}
async function computeUserCapabilities(ctx: Context, person: { workspaceId: string; id: string; role: WorkspaceRole }) {
  const input = { workspaceId: person.workspaceId, userId: person.id };
  const [remove, assignableRoles] = await Promise.all([
    may(ctx, 'removeUser', null, { input }),
    filter(
      WORKSPACE_ROLES.filter((role) => role !== person.role),
      (role) => may(ctx, 'changeUserRole', null, { input: { ...input, role } }),
    ),
  ]);
  return { remove, changeRole: assignableRoles.length > 0, assignableRoles };
}

const JOB_TYPES_ON: Record<ResourceType, readonly JobType[]> = {
  DATASET: JOB_TYPES.filter((t) => t === 'DATA_IMPORT'),
  PROJECT: JOB_TYPES.filter((t) => t !== 'DATA_IMPORT'),
  ONTOLOGY: [],
};

/** `assignableRoles`: the roles the viewer may give a person who holds no ADMIN role here. */
export function resourceCapabilities(ctx: Context, resource: { id: string; workspaceId: string; type: ResourceType }) {
  return once(ctx, `resource:${resource.id}`, () => computeResourceCapabilities(ctx, resource));
}
async function computeResourceCapabilities(ctx: Context, resource: { id: string; workspaceId: string; type: ResourceType }) {
  const { id, workspaceId, type } = resource;
  const project = type === 'PROJECT';
  const [seeMembers, assignableRoles, startJobTypes, setTags, createIssueTag, createIssue] = await Promise.all([
    may(ctx, 'seeResourceMembers', { id }, {}),
    filter(ROLES_BY_RESOURCE_TYPE[type], (role: ResourceRole) =>
      may(ctx, 'assignUser', null, { input: { workspaceId, resourceType: type, resourceIds: [id], role } }),
    ),
    filter(JOB_TYPES_ON[type], (jobType) =>
      may(ctx, 'startJob', null, { input: { workspaceId, type: jobType, [jobType === 'DATA_IMPORT' ? 'datasetId' : 'projectId']: id } }),
    ),
    project && may(ctx, 'setProjectTags', null, { input: { projectId: id } }),
    project && may(ctx, 'createIssueTag', null, { input: { workspaceId, projectId: id } }),
    project && may(ctx, 'createIssue', null, { input: { projectId: id } }),
  ]);
  return { seeMembers, assignableRoles, startJobTypes, setTags, createIssueTag, createIssue };
}

/** `manageMembers`: add or remove people other than oneself (a manager may not add themselves). */
export function groupCapabilities(ctx: Context, group: { id: string }) {
  return once(ctx, `group:${group.id}`, () => computeGroupCapabilities(ctx, group));
}
async function computeGroupCapabilities(ctx: Context, group: { id: string }) {
  const input = { groupId: group.id };
  const [update, del, manageMembers, manageManagers, seeManagers] = await Promise.all([
    may(ctx, 'updateGroup', null, { input }),
    may(ctx, 'deleteGroup', null, { groupId: group.id }),
    may(ctx, 'addGroupMembers', null, { input: { ...input, userIds: [] } }),
    may(ctx, 'editGroupManagers', null, { input: { ...input, userIds: [] } }),
    may(ctx, 'seeGroupManagers', { id: group.id }, {}),
  ]);
  return { update, delete: del, manageMembers, manageManagers, seeManagers };
}

/** Reports and cancels are for PROCESSING jobs; retries for jobs in ERROR or CANCELLED whose project or dataset still exists. */
export async function jobCapabilities(ctx: Context, job: { id: string; status: JobStatus; projectId: string | null; datasetId: string | null }) {
  const processing = job.status === 'PROCESSING';
  const retriable = (job.status === 'ERROR' || job.status === 'CANCELLED') && (job.projectId ?? job.datasetId) !== null;
  const [update, retry] = await Promise.all([
    processing && may(ctx, 'updateJob', null, { jobId: job.id }),
    retriable && may(ctx, 'retryJob', null, { jobId: job.id }),
  ]);
  return { report: update, cancel: update, retry };
}
