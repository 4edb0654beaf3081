import { randomUUID } from 'node:crypto';
import { isUuid } from '../../authorization/access';
import { seesResource } from '../../authorization/policy';
import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { audit } from '../audit/audit';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { cleanDescription, cleanName, cleanSearch, containsPattern } from '../common/validation';
import type { Workspace } from '../workspaces/workspace.types';
import { resourceColumns, resourceFrom } from './resource.columns';
import type { ResourceType } from './resource.entity';
import type { CreateResourceInput, ProjectFilter } from './resource.inputs';
import { resourcesById } from './resource.loaders';
import type { Resource } from './resource.types';
import { actorIn, forgetReads } from './visibility';

/** The GraphQL name of each resource type (audit entries name their target by it). */
export const TYPE_NAME: Record<ResourceType, 'Project' | 'Dataset' | 'Ontology'> = {
  PROJECT: 'Project',
  DATASET: 'Dataset',
  ONTOLOGY: 'Ontology',
};

/** Not TASKERs (checked by the rule createResource). The creator becomes the resource's direct ADMIN. */
export async function createResource(ctx: Context, type: ResourceType, input: CreateResourceInput): Promise<Resource> {
  const name = cleanName(input.name, 'input.name');
  const description = cleanDescription(input.description, 'input.description');
  const actorId = ctx.viewer!.userId;
  const id = randomUUID();
  const row = await ctx.db.transaction(async (tx) => {
    const created = await queryOne(
      tx,
      `INSERT INTO resources AS r (id, workspace_id, type, name, description, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${resourceColumns()}`,
      [id, input.workspaceId, type, name, description, actorId],
    );
    await tx.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [
      id,
      actorId,
      input.workspaceId,
    ]);
    await audit(tx, {
      workspaceId: input.workspaceId,
      actorId,
      action: `create${TYPE_NAME[type]}`,
      targetType: TYPE_NAME[type],
      targetId: id,
      details: { name, description },
    });
    return created;
  });
  forgetReads(ctx);
  return resourceFrom(row);
}

export interface ListArgs {
  filter?: ProjectFilter | null;
  first?: number | null;
  after?: string | null;
}

/**
 * One page of the workspace's resources of a type that the viewer sees: a workspace ADMIN all;
 * others those they hold an effective role on (directly, or through a group they are a MEMBER
 * of). Newest first. The tag filter is for ADMINs only (checked by the rule seeResources).
 */
export async function listResources(ctx: Context, workspace: Workspace, type: ResourceType, args: ListArgs): Promise<Page<Resource>> {
  const first = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  if (cursor && (typeof cursor[0] !== 'number' || !Number.isSafeInteger(cursor[0]) || !isUuid(cursor[1]))) {
    throw badInput('after', 'after is not a valid cursor');
  }
  const actor = await actorIn(ctx, workspace.id);
  if (!actor) return { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };

  const search = cleanSearch(args.filter?.search, 'filter.search');
  const tagIds = [...new Set(args.filter?.tagIds ?? [])];
  // A tag id that is not a UUID names no tag: no project carries it.
  if (tagIds.some((t) => !isUuid(t))) return { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };

  const params: unknown[] = [workspace.id, type, actor.role === 'ADMIN', actor.userId, search && containsPattern(search), tagIds];
  const where = `r.workspace_id = $1 AND r.type = $2
    AND ($3::boolean
         OR EXISTS (SELECT 1 FROM resource_user_roles ur WHERE ur.resource_id = r.id AND ur.user_id = $4)
         OR EXISTS (SELECT 1 FROM resource_group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id
                     WHERE gr.resource_id = r.id AND gm.user_id = $4))
    AND ($5::text IS NULL OR r.name ILIKE $5)
    AND (cardinality($6::uuid[]) = 0
         OR (SELECT count(*) FROM project_tag_links l WHERE l.project_id = r.id AND l.tag_id = ANY($6::uuid[])) = cardinality($6::uuid[]))`;
  const sortKey = `(extract(epoch FROM r.created_at) * 1000000)::bigint`;
  const [rows, total] = await Promise.all([
    queryRows(
      ctx.db,
      `SELECT ${resourceColumns()}, ${sortKey} AS "sortKey" FROM resources r
        WHERE ${where} ${cursor ? `AND (${sortKey}, r.id) < ($7::bigint, $8::uuid)` : ''}
        ORDER BY r.created_at DESC, r.id DESC LIMIT ${first + 1}`,
      cursor ? [...params, cursor[0], cursor[1]] : params,
    ),
    queryOne<{ n: number }>(ctx.db, `SELECT count(*)::int AS n FROM resources r WHERE ${where}`, params),
  ]);
  const page = toPage(rows, first, total!.n, (row) => [Number(row.sortKey), row.id]);
  return { ...page, nodes: page.nodes.map((row) => resourceFrom(row)) };
}

/** One resource of the workspace and type, when the viewer sees it; null otherwise. */
export async function findResource(ctx: Context, workspace: Workspace, type: ResourceType, id: string): Promise<Resource | null> {
  if (!isUuid(id)) return null;
  const [facts, actor] = await Promise.all([ctx.access.resource(id), actorIn(ctx, workspace.id)]);
  if (!facts || !actor || facts.workspaceId !== workspace.id || facts.type !== type || !seesResource(actor, facts)) return null;
  return resourcesById(ctx).load(id);
}
