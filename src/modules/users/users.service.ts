import { isUuid } from '../../authorization/access';
import { queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { cleanSearch, containsPattern } from '../common/validation';
import type { UserFilter } from './user.inputs';
import { WORKSPACE_USER_COLUMNS, WORKSPACE_USER_FROM, workspaceUsers } from './workspace-user.loader';
import type { WorkspaceUser } from './workspace-user.types';

const MAX_SEARCH = 200;

/**
 * The people of a workspace (invited, declined, joined; never removed ones), ordered by email
 * then id: emails are unique and never change, so the order and the cursors are stable.
 */
export async function listUsers(
  ctx: Context,
  workspaceId: string,
  filter: UserFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Page<WorkspaceUser>> {
  const limit = pageSize(first);
  const cursor = decodeCursor(after, 2);
  if (cursor && (typeof cursor[0] !== 'string' || !isUuid(cursor[1]))) throw badInput('after', 'after is not a valid cursor');

  const params: unknown[] = [workspaceId];
  const where = ['m.workspace_id = $1', 'm.removed_at IS NULL'];
  const search = cleanSearch(filter?.search, 'filter.search', MAX_SEARCH);
  if (search) {
    params.push(containsPattern(search));
    where.push(`(u.email ILIKE $${params.length} ESCAPE '\\' OR u.name ILIKE $${params.length} ESCAPE '\\')`);
  }
  if (filter?.role) {
    params.push(filter.role);
    where.push(`m.role = $${params.length}`);
  }
  if (filter?.status) {
    params.push(filter.status);
    where.push(`m.status = $${params.length}`);
  }
  const filtered = where.join(' AND ');

  const pageParams = [...params];
  let pageWhere = filtered;
  if (cursor) {
    pageParams.push(cursor[0], cursor[1]);
    pageWhere += ` AND (u.email, u.id) > ($${pageParams.length - 1}, $${pageParams.length}::uuid)`;
  }
  pageParams.push(limit + 1);
  // One statement for the page and the total: the count's row always comes back, with the
  // page's rows beside it (an empty page leaves one row of nulls).
  const joined = await queryRows<WorkspaceUser & { totalCount: number }>(
    ctx.db,
    `SELECT page.*, total.n AS "totalCount"
       FROM (SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE ${filtered}) total
       LEFT JOIN LATERAL (
         SELECT ${WORKSPACE_USER_COLUMNS} FROM ${WORKSPACE_USER_FROM} WHERE ${pageWhere} ORDER BY u.email, u.id LIMIT $${pageParams.length}
       ) page ON true
      ORDER BY page.email, page.id`,
    pageParams,
  );
  const totalCount = joined[0]?.totalCount ?? 0;
  const rows: WorkspaceUser[] = joined.filter((r) => r.id !== null).map(({ totalCount: _total, ...row }) => row);
  // Prime the batched loader: field resolvers of these people (and of the same people elsewhere in the query) need no query.
  const loader = workspaceUsers(ctx);
  for (const row of rows) loader.prime({ workspaceId, userId: row.id }, row);
  return toPage(rows, limit, totalCount, (row) => [row.email, row.id]);
}

/** One person of the workspace; null for a removed one, an unknown id or one that is not an id. */
export async function findUser(ctx: Context, workspaceId: string, userId: unknown): Promise<WorkspaceUser | null> {
  if (!isUuid(userId)) return null;
  const user = await workspaceUsers(ctx).load({ workspaceId, userId });
  return user && !user.removedAt ? user : null;
}
