import { randomUUID } from 'node:crypto';
import { isUuid } from '../../authorization/access';
import { listScope, type Visibility } from '../../authorization/lists';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { runMutation } from '../common/mutation';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { containsPattern } from '../common/validation';
import type { Workspace } from '../workspaces/workspace.types';
import type { ResourceType } from './resource.entity';
import type { CreateResourceInput, ProjectFilter, ResourceFilter } from './resource.inputs';
import { resourcesById } from './resource.loaders';
import type { Resource } from './resource.types';
import { insertResource, listResources as listRows } from './resources.data';

/** The GraphQL name of each resource type (audit entries name their target by it). */
export const TYPE_NAME: Record<ResourceType, 'Project' | 'Dataset' | 'Ontology'> = {
  PROJECT: 'Project',
  DATASET: 'Dataset',
  ONTOLOGY: 'Ontology',
};

/** The rule createResource (not TASKERs). The creator becomes the resource's direct ADMIN. */
export async function createResource(ctx: Context, type: ResourceType, input: CreateResourceInput): Promise<Resource> {
  const actorId = ctx.viewer!.userId;
  return runMutation(ctx, {
    rule: 'createResource',
    args: { input },
    workspaceId: input.workspaceId,
    what: 'workspace',
    change: async (tx) => {
      const id = randomUUID();
      const resource = await insertResource(tx, { id, workspaceId: input.workspaceId, type, name: input.name, description: input.description || null, createdBy: actorId });
      return {
        result: resource,
        audit: [
          { workspaceId: input.workspaceId, actorId, action: `create${TYPE_NAME[type]}`, targetType: TYPE_NAME[type], targetId: id, details: { name: input.name, description: input.description || null } },
        ],
      };
    },
  });
}

const EMPTY: Page<Resource> = { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };

/**
 * One page of the workspace's resources of a type that the viewer sees (the rule seeResources
 * and its scope: a workspace ADMIN all; others those they hold an effective role on). Newest
 * first. The tag filter is for ADMINs only (the rule checks that).
 */
export async function listResources(
  ctx: Context,
  workspace: Workspace,
  type: ResourceType,
  args: { filter?: ProjectFilter | ResourceFilter | null; first?: number | null; after?: string | null },
): Promise<Page<Resource>> {
  const first = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  if (cursor && (typeof cursor[0] !== 'number' || !Number.isSafeInteger(cursor[0]) || !isUuid(cursor[1]))) {
    throw badInput('after', 'after is not a valid cursor');
  }
  const actor = await ctx.access.actor(workspace.id);
  if (!actor) return EMPTY;
  const tagIds = (args.filter as ProjectFilter | null)?.tagIds ?? [];
  // A tag id that is not a UUID names no tag: no project carries it.
  if (tagIds.some((t) => !isUuid(t))) return EMPTY;
  const { rows, total } = await listRows(ctx.db, {
    workspaceId: workspace.id,
    type,
    visible: listScope('seeResources', actor) as Visibility<'resource'>,
    search: args.filter?.search ? containsPattern(args.filter.search) : null,
    tagIds,
    after: cursor as [number, string] | null,
    limit: first,
  });
  const page = toPage(rows, first, total, (row) => [row.sortKey, row.id]);
  return { ...page, nodes: page.nodes.map(({ sortKey: _s, ...resource }) => resource) };
}

/** One resource of the workspace (the rule seeResource has decided the viewer sees it); null when it is of another type. */
export async function findResource(ctx: Context, type: ResourceType, id: string): Promise<Resource | null> {
  const resource = await resourcesById(ctx).load(id.toLowerCase());
  return resource && resource.type === type ? resource : null;
}
