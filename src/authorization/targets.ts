import type { Context } from '../server/context';
import { badInput } from '../server/errors';
import type { JobStatus, JobType } from '../modules/jobs/job.entity';
import type { InvitationStatus, WorkspaceRole } from '../modules/users/membership.entity';
import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import { RESOURCE_TYPES } from '../modules/resources/resource.entity';
import { isUuid, type GroupFacts, type ResourceFacts } from './access';

/**
 * What a rule is checked against: the object an operation or field acts on, found from its
 * parent or arguments, with the viewer's relation to it. A loader answers null when the
 * object does not exist; the guard then answers as for a missing object.
 */
export interface Target {
  /** The workspace the object lives in; null only for rules that need no workspace. */
  workspaceId: string | null;
}

export interface WorkspaceTarget extends Target {
  workspaceId: string;
}
export interface UserTarget extends WorkspaceTarget {
  /** The person acted on, and their place in the workspace. */
  userId: string;
  role: WorkspaceRole;
  status: InvitationStatus;
}
export interface GroupTarget extends WorkspaceTarget {
  group: GroupFacts;
}
export interface ResourcesTarget extends WorkspaceTarget {
  resources: ResourceFacts[];
  /** With `input.userId`: that person's current direct role on each resource (by resource id). */
  subjectRoles: Map<string, ResourceRole>;
}
export interface ResourceTarget extends WorkspaceTarget {
  resource: ResourceFacts;
}
export interface IssueTagTarget extends WorkspaceTarget {
  /** The tag's project, for a project-level tag. */
  project: ResourceFacts | null;
}
export interface JobTarget extends WorkspaceTarget {
  jobId: string;
  startedBy: string;
  type: JobType;
  status: JobStatus;
  /** The job's project or dataset: what starting it again needs a role on. */
  resource: ResourceFacts | null;
}
export interface StartJobTarget extends WorkspaceTarget {
  type: JobType;
  resource: ResourceFacts;
}
export interface OwnedTarget extends WorkspaceTarget {
  ownerId: string;
}

type Args = Record<string, any>;
export type TargetLoader<T extends Target = Target> = (ctx: Context, parent: any, args: Args) => Promise<T | null>;

const input = (args: Args): Args => (args.input && typeof args.input === 'object' ? args.input : args);

async function resourceFacts(ctx: Context, id: unknown): Promise<ResourceFacts | null> {
  return isUuid(id) ? ctx.access.resource(id) : null;
}

export const targets = {
  /** Any signed-in person; no workspace involved. */
  signedIn: async (): Promise<Target> => ({ workspaceId: null }),

  /** A workspace named by `id`, `workspaceId` or `input.workspaceId`. */
  workspaceArg: async (_ctx, _parent, args): Promise<WorkspaceTarget | null> => {
    const id = args.id ?? args.workspaceId ?? input(args).workspaceId;
    return isUuid(id) ? { workspaceId: id } : null;
  },

  /** A field of a Workspace object: the parent is the workspace. */
  workspaceParent: async (_ctx, parent): Promise<WorkspaceTarget> => ({ workspaceId: parent.id }),

  /** A member of the workspace named by `input.userId`. */
  workspaceUserInput: async (ctx, _parent, args): Promise<UserTarget | null> => {
    const { workspaceId, userId } = input(args);
    if (!isUuid(workspaceId) || !isUuid(userId)) return null;
    const [row] = await ctx.db.query(
      `SELECT role, status FROM memberships WHERE workspace_id = $1 AND user_id = $2 AND removed_at IS NULL`,
      [workspaceId, userId],
    );
    return row ? { workspaceId, userId, role: row.role, status: row.status } : null;
  },

  /** A group named by `groupId` or `input.groupId`. */
  groupArg: async (ctx, _parent, args): Promise<GroupTarget | null> => {
    const id = args.groupId ?? input(args).groupId;
    const group = isUuid(id) ? await ctx.access.group(id) : null;
    return group ? { workspaceId: group.workspaceId, group } : null;
  },

  /** A field of a Group object. */
  groupParent: async (ctx, parent): Promise<GroupTarget | null> => {
    const group = await ctx.access.group(parent.id);
    return group ? { workspaceId: group.workspaceId, group } : null;
  },

  /** Resources named by `input.resourceIds` (or `input.resourceId`) of `input.resourceType`, all in one workspace. */
  resourcesInput: async (ctx, _parent, args): Promise<ResourcesTarget | null> => {
    const { resourceType, resourceIds, resourceId } = input(args);
    const ids: unknown[] = resourceIds ?? [resourceId];
    if (!RESOURCE_TYPES.includes(resourceType)) return null;
    if (ids.length === 0) throw badInput('input.resourceIds', 'Name at least one resource');
    if (ids.length > 100) throw badInput('input.resourceIds', 'At most 100 resources at once');
    const facts = await Promise.all(ids.map((id) => resourceFacts(ctx, id)));
    const first = facts[0];
    if (!first || facts.some((f) => !f || f.type !== resourceType || f.workspaceId !== first.workspaceId)) return null;
    // A workspace named in the input must be the resources' own.
    const named = input(args).workspaceId;
    if (named !== undefined && named !== null && named !== first.workspaceId) return null;
    const subjectRoles = new Map<string, ResourceRole>();
    const { userId } = input(args);
    if (isUuid(userId)) {
      const rows: Array<{ resourceId: string; role: ResourceRole }> = await ctx.db.query(
        `SELECT resource_id AS "resourceId", role FROM resource_user_roles WHERE user_id = $1 AND resource_id = ANY($2::uuid[])`,
        [userId, facts.map((f) => f!.id)],
      );
      for (const row of rows) subjectRoles.set(row.resourceId, row.role);
    }
    return { workspaceId: first.workspaceId, resources: facts as ResourceFacts[], subjectRoles };
  },

  /** A field of a Project, Dataset or Ontology object. */
  resourceParent: async (ctx, parent): Promise<ResourceTarget | null> => {
    const resource = await ctx.access.resource(parent.id);
    return resource ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** A project named by `projectId` or `input.projectId`. */
  projectArg: async (ctx, _parent, args): Promise<ResourceTarget | null> => {
    const resource = await resourceFacts(ctx, args.projectId ?? input(args).projectId);
    return resource && resource.type === 'PROJECT' ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** A project tag named by `id`. */
  projectTagArg: async (ctx, _parent, args): Promise<WorkspaceTarget | null> => {
    if (!isUuid(args.id)) return null;
    const [row] = await ctx.db.query(`SELECT workspace_id AS "workspaceId" FROM project_tags WHERE id = $1`, [args.id]);
    return row ?? null;
  },

  /** The workspace of `input.workspaceId`, and the project of `input.projectId` if one is named. */
  issueTagInput: async (ctx, _parent, args): Promise<IssueTagTarget | null> => {
    const { workspaceId, projectId } = input(args);
    if (!isUuid(workspaceId)) return null;
    if (projectId === undefined || projectId === null) return { workspaceId, project: null };
    const project = await resourceFacts(ctx, projectId);
    if (!project || project.type !== 'PROJECT' || project.workspaceId !== workspaceId) return null;
    return { workspaceId, project };
  },

  /** An issue tag named by `id`. */
  issueTagArg: async (ctx, _parent, args): Promise<IssueTagTarget | null> => {
    if (!isUuid(args.id)) return null;
    const [row] = await ctx.db.query(`SELECT workspace_id AS "workspaceId", project_id AS "projectId" FROM issue_tags WHERE id = $1`, [args.id]);
    if (!row) return null;
    return { workspaceId: row.workspaceId, project: row.projectId ? await ctx.access.resource(row.projectId) : null };
  },

  /** An issue named by `id`: its project decides. */
  issueArg: async (ctx, _parent, args): Promise<ResourceTarget | null> => {
    if (!isUuid(args.id)) return null;
    const [row] = await ctx.db.query(`SELECT project_id AS "projectId" FROM issues WHERE id = $1`, [args.id]);
    const resource = row ? await ctx.access.resource(row.projectId) : null;
    return resource ? { workspaceId: resource.workspaceId, resource } : null;
  },

  /** startJob's input: the dataset (DATA_IMPORT) or project (the others) it works on. */
  startJobInput: async (ctx, _parent, args): Promise<StartJobTarget | null> => {
    const { workspaceId, type, projectId, datasetId } = input(args);
    if (!isUuid(workspaceId)) return null;
    const field = type === 'DATA_IMPORT' ? 'datasetId' : 'projectId';
    const id = type === 'DATA_IMPORT' ? datasetId : projectId;
    if (id === undefined || id === null) throw badInput(`input.${field}`, `${type} needs ${field}`);
    const resource = await resourceFacts(ctx, id);
    const wanted: ResourceType = type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT';
    if (!resource || resource.type !== wanted || resource.workspaceId !== workspaceId) return null;
    return { workspaceId, type, resource };
  },

  /** A job named by `jobId`, `input.jobId` or `id`. */
  jobArg: async (ctx, _parent, args): Promise<JobTarget | null> => {
    const id = args.jobId ?? input(args).jobId ?? args.id;
    if (!isUuid(id)) return null;
    const [row] = await ctx.db.query(
      `SELECT workspace_id AS "workspaceId", user_id AS "startedBy", type, status, COALESCE(project_id, dataset_id) AS "resourceId"
         FROM jobs WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    const resource = row.resourceId ? await ctx.access.resource(row.resourceId) : null;
    return { workspaceId: row.workspaceId, jobId: id, startedBy: row.startedBy, type: row.type, status: row.status, resource };
  },

  /** An API key named by `id`. */
  apiKeyArg: async (ctx, _parent, args): Promise<OwnedTarget | null> => {
    if (!isUuid(args.id)) return null;
    const [row] = await ctx.db.query(
      `SELECT workspace_id AS "workspaceId", user_id AS "ownerId" FROM api_keys WHERE id = $1 AND revoked_at IS NULL`,
      [args.id],
    );
    return row ?? null;
  },
} satisfies Record<string, TargetLoader<any>>;

export type TargetName = keyof typeof targets;
export type TargetOf<N extends TargetName> = NonNullable<Awaited<ReturnType<(typeof targets)[N]>>>;

export type { ResourceRole };
