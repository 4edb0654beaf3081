import type { Context } from '../server/context';
import type { JobType } from '../modules/jobs/job.entity';
import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import { RESOURCE_TYPES } from '../modules/resources/resource.entity';
import { isUuid, type GroupFacts, type JobFacts, type PersonFacts, type ResourceFacts } from './access';
import { soleAdminOf } from './facts.data';

/**
 * What a rule is checked against: the object an operation or field acts on, found from its
 * parent or arguments, with the viewer's relation to it, all through `ctx.access` (the facts
 * the rules read). A loader answers null when the object does not exist; the guard then
 * answers as for a missing object. In a mutation's transaction the same loaders run again
 * through a locking Access (modules/common/mutation.ts).
 */
export interface Target {
  /** The workspace the object lives in; null only for rules that need no workspace. */
  workspaceId: string | null;
}
export interface WorkspaceTarget extends Target {
  workspaceId: string;
}

type Args = Record<string, any>;
export type TargetLoader<T extends Target = Target> = (ctx: Context, parent: any, args: Args) => Promise<T | null>;

const input = (args: Args): Args => (args.input && typeof args.input === 'object' ? args.input : args);
const idList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** People named by id in a workspace: their facts, or null for an id of no one there. */
async function peopleNamed(ctx: Context, workspaceId: string, ...lists: unknown[][]): Promise<Array<PersonFacts | null>> {
  const ids = [...new Set(lists.flat().map((id) => (typeof id === 'string' ? id.toLowerCase() : id)))];
  return Promise.all(ids.map((id) => ctx.access.person(workspaceId, id)));
}

const inWorkspace = <T extends { workspaceId: string }>(facts: T | null, workspaceId: string): T | null =>
  facts && facts.workspaceId === workspaceId.toLowerCase() ? facts : null;

export const targets = {
  /** Any signed-in person; no workspace involved. */
  signedIn: async (): Promise<Target> => ({ workspaceId: null }),

  /** Anyone, with a token or without; no workspace involved. */
  anyone: async (): Promise<Target> => ({ workspaceId: null }),

  /** A workspace named by `id`, `workspaceId` or `input.workspaceId`. */
  workspaceArg: async (_ctx, _parent, args): Promise<WorkspaceTarget | null> => {
    const id = args.id ?? args.workspaceId ?? input(args).workspaceId;
    return isUuid(id) ? { workspaceId: id.toLowerCase() } : null;
  },

  /** A field of a Workspace object: the parent is the workspace. */
  workspaceParent: async (_ctx, parent): Promise<WorkspaceTarget> => ({ workspaceId: parent.id }),

  /** A person of the parent workspace named by `id`, in any status. */
  personArg: async (ctx, parent, args): Promise<(WorkspaceTarget & { person: PersonFacts }) | null> => {
    const person = await ctx.access.person(parent.id, args.id);
    return person ? { workspaceId: person.workspaceId, person } : null;
  },

  /**
   * A member (not REMOVED) named by `input.userId` in `input.workspaceId`. With
   * `input.replacementUserId` (removeUser): the replacement, and the resources of which the
   * member is the only direct ADMIN, which would pass to them.
   */
  memberInput: async (ctx, _parent, args) => {
    const { workspaceId, userId, replacementUserId } = input(args);
    if (!isUuid(workspaceId)) return null;
    const person = await ctx.access.person(workspaceId, userId);
    if (!person || person.status === 'REMOVED') return null;
    const target = { workspaceId: person.workspaceId, person, replacement: undefined as PersonFacts | null | undefined, handedOver: [] as ResourceFacts[], replacementRoles: new Map<string, ResourceRole>() };
    if (replacementUserId !== undefined && replacementUserId !== null) {
      target.replacement = await ctx.access.person(workspaceId, replacementUserId);
      if (target.replacement && target.replacement.userId !== person.userId) {
        const ids = (await soleAdminOf(ctx.access.db, person.workspaceId, [person.userId])).get(person.userId)!;
        target.handedOver = (await Promise.all(ids.map((id) => ctx.access.resource(id)))).filter((r): r is ResourceFacts => r !== null);
        target.replacementRoles = await ctx.access.directRoles(target.replacement.userId, ids);
      }
    }
    return target;
  },

  /** A group of the parent workspace named by `id`. */
  groupIdArg: async (ctx, parent, args): Promise<(WorkspaceTarget & { group: GroupFacts }) | null> => {
    const group = inWorkspace(await ctx.access.group(args.id), parent.id);
    return group ? { workspaceId: group.workspaceId, group } : null;
  },

  /**
   * A group named by `groupId` or `input.groupId`, and the people its input names (userIds,
   * memberIds, managerIds). With new lists (updateGroup), who is in them now, to tell who
   * comes and who goes.
   */
  groupArg: async (ctx, _parent, args) => {
    const given = input(args);
    const group = await ctx.access.group(args.groupId ?? given.groupId);
    if (!group) return null;
    const people = await peopleNamed(ctx, group.workspaceId, idList(given.userIds), idList(given.memberIds), idList(given.managerIds));
    const now = given.memberIds != null || given.managerIds != null ? await ctx.access.groupPeople(group.id) : null;
    return { workspaceId: group.workspaceId, group, people, members: now?.members ?? [], managers: now?.managers ?? [] };
  },

  /** createGroup: the workspace, the group as it will be (made by the viewer), and the people named. */
  newGroupInput: async (ctx, _parent, args) => {
    const { workspaceId, memberIds, managerIds } = input(args);
    if (!isUuid(workspaceId)) return null;
    const ws = workspaceId.toLowerCase();
    const group: GroupFacts = { id: '', workspaceId: ws, createdBy: ctx.access.userId, viewerIsMember: false, viewerIsManager: false };
    return { workspaceId: ws, group, people: await peopleNamed(ctx, ws, idList(memberIds), idList(managerIds)), members: [] as string[], managers: [] as string[] };
  },

  /** A field of a Group object. */
  groupParent: async (ctx, parent): Promise<(WorkspaceTarget & { group: GroupFacts }) | null> => {
    const group = await ctx.access.group(parent.id);
    return group ? { workspaceId: group.workspaceId, group } : null;
  },

  /**
   * Resources named by `input.resourceIds` (or `input.resourceId`) of `input.resourceType`, all
   * in one workspace; the person (`input.userId`) or group (`input.groupId`) they are given to.
   */
  resourcesInput: async (ctx, _parent, args) => {
    const given = input(args);
    const { resourceType, resourceIds, resourceId } = given;
    const ids: unknown[] = resourceIds ?? [resourceId];
    if (!RESOURCE_TYPES.includes(resourceType)) return null;
    const facts = await Promise.all(ids.map((id) => (isUuid(id) ? ctx.access.resource(id) : null)));
    const first = facts[0];
    if (!first || facts.some((f) => !f || f.type !== resourceType || f.workspaceId !== first.workspaceId)) return null;
    // A workspace named in the input must be the resources' own.
    if (given.workspaceId != null && String(given.workspaceId).toLowerCase() !== first.workspaceId) return null;
    const resources = facts as ResourceFacts[];
    const subject = given.userId === undefined ? undefined : await ctx.access.person(first.workspaceId, given.userId);
    const subjectRoles = subject ? await ctx.access.directRoles(subject.userId, resources.map((r) => r.id)) : new Map<string, ResourceRole>();
    const group = given.groupId === undefined ? undefined : inWorkspace(await ctx.access.group(given.groupId), first.workspaceId);
    return { workspaceId: first.workspaceId, resources, subject, subjectRoles, group };
  },

  /** A field of a Project, Dataset or Ontology object. */
  resourceParent: async (ctx, parent): Promise<(WorkspaceTarget & { resource: ResourceFacts }) | null> => {
    const resource = await ctx.access.resource(parent.id);
    return resource ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** A resource of the parent workspace named by `id`. */
  resourceIdArg: async (ctx, parent, args): Promise<(WorkspaceTarget & { resource: ResourceFacts }) | null> => {
    const resource = inWorkspace(await ctx.access.resource(args.id), parent.id);
    return resource ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** A project named by `projectId` or `input.projectId`. */
  projectArg: async (ctx, _parent, args): Promise<(WorkspaceTarget & { resource: ResourceFacts }) | null> => {
    const resource = await ctx.access.resource(args.projectId ?? input(args).projectId);
    return resource && resource.type === 'PROJECT' ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** A project tag named by `id`. */
  projectTagArg: async (ctx, _parent, args): Promise<WorkspaceTarget | null> => ctx.access.projectTag(args.id),

  /** The workspace of `input.workspaceId`, and the project of `input.projectId` if one is named. */
  issueTagInput: async (ctx, _parent, args): Promise<(WorkspaceTarget & { project: ResourceFacts | null }) | null> => {
    const { workspaceId, projectId } = input(args);
    if (!isUuid(workspaceId)) return null;
    const ws = workspaceId.toLowerCase();
    if (projectId === undefined || projectId === null) return { workspaceId: ws, project: null };
    const project = inWorkspace(await ctx.access.resource(projectId), ws);
    return project && project.type === 'PROJECT' ? { workspaceId: ws, project } : null;
  },

  /** An issue tag named by `id`. */
  issueTagArg: async (ctx, _parent, args): Promise<(WorkspaceTarget & { project: ResourceFacts | null }) | null> => {
    const tag = await ctx.access.issueTag(args.id);
    if (!tag) return null;
    return { workspaceId: tag.workspaceId, project: tag.projectId ? await ctx.access.resource(tag.projectId) : null };
  },

  /** An issue named by `id`: its project decides. */
  issueArg: async (ctx, _parent, args): Promise<(WorkspaceTarget & { resource: ResourceFacts }) | null> => {
    const issue = await ctx.access.issue(args.id);
    const resource = issue ? await ctx.access.resource(issue.projectId) : null;
    return resource ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** startJob's input: the dataset (DATA_IMPORT) or project (the others) it works on. */
  startJobInput: async (ctx, _parent, args): Promise<(WorkspaceTarget & { type: JobType; resource: ResourceFacts }) | null> => {
    const { workspaceId, type, projectId, datasetId } = input(args);
    if (!isUuid(workspaceId)) return null;
    const id = type === 'DATA_IMPORT' ? datasetId : projectId; // the input's checks made sure it is there
    const resource = inWorkspace(await ctx.access.resource(id), workspaceId);
    const wanted: ResourceType = type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT';
    if (!resource || resource.type !== wanted) return null;
    return { workspaceId: resource.workspaceId, type, resource };
  },

  /** A job named by `jobId`, `input.jobId` or `id`. */
  jobArg: async (ctx, _parent, args): Promise<(WorkspaceTarget & { job: JobFacts }) | null> => {
    const job = await ctx.access.job(args.jobId ?? input(args).jobId ?? args.id);
    return job ? { workspaceId: job.workspaceId, job } : null;
  },

  /** A job of the parent workspace named by `id`. */
  jobIdArg: async (ctx, parent, args): Promise<(WorkspaceTarget & { job: JobFacts }) | null> => {
    const job = inWorkspace(await ctx.access.job(args.id), parent.id);
    return job ? { workspaceId: job.workspaceId, job } : null;
  },

  /** retryJob: the job, and what it worked on (starting it again needs a role there). */
  jobToRetry: async (ctx, _parent, args): Promise<(WorkspaceTarget & { job: JobFacts; resource: ResourceFacts | null }) | null> => {
    const job = await ctx.access.job(args.jobId);
    if (!job) return null;
    return { workspaceId: job.workspaceId, job, resource: job.resourceId ? await ctx.access.resource(job.resourceId) : null };
  },

  /** A live API key named by `id`. */
  apiKeyArg: async (ctx, _parent, args): Promise<(WorkspaceTarget & { ownerId: string }) | null> => ctx.access.apiKey(args.id),

  /** A webhook named by `id`. */
  webhookArg: async (ctx, _parent, args): Promise<WorkspaceTarget | null> => ctx.access.webhook(args.id),
} satisfies Record<string, TargetLoader<any>>;

export type TargetName = keyof typeof targets;
export type TargetOf<N extends TargetName> = NonNullable<Awaited<ReturnType<(typeof targets)[N]>>>;
