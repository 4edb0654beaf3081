import { isUuid } from '../../authorization/access';
import { listScope, type Visibility } from '../../authorization/lists';
import { scopes, sees } from '../../authorization/scopes';
import { loader, type Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { containsPattern } from '../common/validation';
import { resourcesById } from '../resources/resource.loaders';
import { byTypeAndName, type Resource } from '../resources/resource.types';
import type { SoleAdminResources, UserFilter, UserOrder } from './user.inputs';
import { isSortKey, listPeople, type PeopleCursor, type PeopleOrder } from './users.data';
import { soleAdminIds, workspaceUsers } from './users.loaders';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * Workspace.users: a page of the people the viewer sees (the rule seeMembers and its scope),
 * REMOVED people only when asked for by status, in the asked order (email by default). A group
 * filter holds the members the viewer may see as that group's (scopes.groupMembers): a group
 * they may not see, or whose members they may not, filters to nobody rather than telling.
 */
export async function listUsers(
  ctx: Context,
  workspaceId: string,
  args: { filter: UserFilter | null | undefined; orderBy: UserOrder | null | undefined; first: number | null | undefined; after: string | null | undefined },
  wants: { totalCount: boolean },
): Promise<Page<WorkspaceUser>> {
  const limit = pageSize(args.first);
  const order = args.orderBy?.field ?? 'EMAIL';
  const descending = args.orderBy?.direction === 'DESC';
  const after = peopleCursor(args.after, order, descending);
  const actor = await ctx.access.actor(workspaceId);
  const { filter } = args;
  if (!actor || (filter?.groupId && !isUuid(filter.groupId))) return toPage([], limit, 0, () => []);
  const { rows, total } = await listPeople(ctx.db, {
    workspaceId,
    visible: listScope('seeMembers', actor) as Visibility<'person'>,
    search: filter?.search ? containsPattern(filter.search) : null,
    role: filter?.role ?? null,
    status: filter?.status ?? null,
    internal: filter?.internal ?? null,
    group: filter?.groupId ? { id: filter.groupId, visible: { viewer: actor, scope: scopes.groupMembers } } : null,
    order,
    descending,
    after,
    limit,
    withTotal: wants.totalCount,
  });
  // Prime the batched loader: field resolvers of these people (and of the same people elsewhere in the query) need no query.
  const people = workspaceUsers(ctx);
  const nodes = rows.map(({ sortKey: _k, ...person }) => person);
  for (const person of nodes) people.prime({ workspaceId, userId: person.id }, person);
  const page = toPage(rows, limit, total, (row) => [order, descending ? 'DESC' : 'ASC', row.sortKey, row.email, row.id]);
  return { ...page, nodes: nodes.slice(0, page.nodes.length) };
}

/** A cursor of this order and direction (one from another order is BAD_USER_INPUT: it would skip or repeat rows). */
function peopleCursor(after: string | null | undefined, order: PeopleOrder, descending: boolean): PeopleCursor | null {
  const cursor = decodeCursor(after, 5, { nullable: true });
  if (!cursor) return null;
  const [field, direction, key, email, id] = cursor;
  if (field !== order || direction !== (descending ? 'DESC' : 'ASC')) throw badInput('after', 'after is a cursor of another order');
  if (!isSortKey(order, key) || typeof email !== 'string' || !isUuid(id)) throw badInput('after', 'after is not a valid cursor');
  return { key: key as PeopleCursor['key'], email, id: id as string };
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

/** WorkspaceUser.soleAdminOf, once per person and request (a list of jobs names its starter on every row). */
export function soleAdminOf(ctx: Context, person: WorkspaceUser): Promise<SoleAdminResources> {
  const memo = loader(ctx, soleAdminMemo);
  const key = `${person.workspaceId}:${person.id}:${person.status}`;
  let found = memo.get(key);
  if (!found) memo.set(key, (found = computeSoleAdminOf(ctx, person)));
  return found;
}
const soleAdminMemo = (): Map<string, Promise<SoleAdminResources>> => new Map();

async function computeSoleAdminOf(ctx: Context, person: WorkspaceUser): Promise<SoleAdminResources> {
  if (person.status === 'REMOVED') return { resources: [], hiddenCount: 0 };
  const ids = await soleAdminIds(ctx).load({ workspaceId: person.workspaceId, userId: person.id });
  return soleAdminResources(ctx, person.workspaceId, ids);
}
