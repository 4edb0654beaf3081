import { isUuid } from '../../authorization/access';
import { soleAdminOf as soleAdminFacts } from '../../authorization/facts.data';
import { listScope, type Visibility } from '../../authorization/lists';
import { scopes, sees } from '../../authorization/scopes';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { containsPattern } from '../common/validation';
import { resourcesById } from '../resources/resource.loaders';
import { byTypeAndName, type Resource } from '../resources/resource.types';
import type { SoleAdminResources, UserFilter } from './user.inputs';
import { listPeople } from './users.data';
import { workspaceUsers } from './users.loaders';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * Workspace.users: a page of the people the viewer sees (the rule seeMembers and its scope),
 * REMOVED people only when asked for by status, ordered by email then id.
 */
export async function listUsers(
  ctx: Context,
  workspaceId: string,
  args: { filter: UserFilter | null | undefined; first: number | null | undefined; after: string | null | undefined },
  wants: { totalCount: boolean },
): Promise<Page<WorkspaceUser>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  if (cursor && (typeof cursor[0] !== 'string' || !isUuid(cursor[1]))) throw badInput('after', 'after is not a valid cursor');
  const actor = await ctx.access.actor(workspaceId);
  if (!actor) return toPage([], limit, 0, () => []);
  const { filter } = args;
  const { rows, total } = await listPeople(ctx.db, {
    workspaceId,
    visible: listScope('seeMembers', actor) as Visibility<'person'>,
    search: filter?.search ? containsPattern(filter.search) : null,
    role: filter?.role ?? null,
    status: filter?.status ?? null,
    after: cursor as [string, string] | null,
    limit,
    withTotal: wants.totalCount,
  });
  // Prime the batched loader: field resolvers of these people (and of the same people elsewhere in the query) need no query.
  const people = workspaceUsers(ctx);
  for (const row of rows) people.prime({ workspaceId, userId: row.id }, row);
  return toPage(rows, limit, total, (row) => [row.email, row.id]);
}

/** Workspace.user(id): the rule seeUser has decided the viewer may see them (any status). */
export function findUser(ctx: Context, workspaceId: string, userId: string): Promise<WorkspaceUser | null> {
  return workspaceUsers(ctx).load({ workspaceId, userId: userId.toLowerCase() });
}

/**
 * The resources of which a person is the only live direct ADMIN, as the viewer may know them:
 * those they see (scopes.resource), and how many others. REPLACEMENT_REQUIRED says the same.
 */
export async function soleAdminResources(ctx: Context, workspaceId: string, resourceIds: readonly string[]): Promise<SoleAdminResources> {
  const actor = await ctx.access.actor(workspaceId);
  const facts = await Promise.all(resourceIds.map((id) => ctx.access.resource(id)));
  const visible = resourceIds.filter((_id, i) => actor && facts[i] && sees(scopes.resource, actor, facts[i]!));
  const resources = (await resourcesById(ctx).loadMany(visible)).filter((r): r is Resource => !!r && !(r instanceof Error));
  return { resources: resources.sort(byTypeAndName), hiddenCount: resourceIds.length - resources.length };
}

/** WorkspaceUser.soleAdminOf. */
export async function soleAdminOf(ctx: Context, person: WorkspaceUser): Promise<SoleAdminResources> {
  if (person.status === 'REMOVED') return { resources: [], hiddenCount: 0 };
  const ids = (await soleAdminFacts(ctx.db, person.workspaceId, [person.id])).get(person.id) ?? [];
  return soleAdminResources(ctx, person.workspaceId, ids);
}
