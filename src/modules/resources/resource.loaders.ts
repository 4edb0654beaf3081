import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import { groupColumns, groupFrom } from '../groups/group.columns';
import { groupsById } from '../groups/group.loaders';
import { WORKSPACE_USER_COLUMNS, workspaceUserFrom } from '../users/workspace-user.loader';
import type { ResourceAssignment, ResourceMember } from './assignment.types';
import { resourceColumns, resourceFrom } from './resource.columns';
import type { Resource } from './resource.types';

/**
 * Per-request, batched readers of resources and the roles held on them. Each answers a
 * whole batch of keys with one SQL statement; visibility is the caller's business.
 */

/** Resources by id (any type); null for none. */
export function resourcesById(ctx: Context): DataLoader<string, Resource | null> {
  return loader(ctx, makeResourcesById);
}
function makeResourcesById(ctx: Context) {
  return new DataLoader<string, Resource | null>(async (ids) => {
    const rows = await queryRows(ctx.db, `SELECT ${resourceColumns()} FROM resources r WHERE r.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id as string, resourceFrom(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Every grant on a resource, by resource id: each direct role, and each role a group holds
 * for each of its members (managers hold none). Removed people are left out.
 */
export function resourceMembers(ctx: Context): DataLoader<string, ResourceMember[]> {
  return loader(ctx, makeResourceMembers);
}
function makeResourceMembers(ctx: Context) {
  return new DataLoader<string, ResourceMember[]>(async (ids) => {
    const rows = await queryRows(
      ctx.db,
      `SELECT x.resource_id AS "resourceId", x.role AS "grantRole", ${WORKSPACE_USER_COLUMNS}, ${groupColumns('g', 'g_')}
         FROM (SELECT ur.resource_id, ur.user_id, ur.role, NULL::uuid AS group_id
                 FROM resource_user_roles ur WHERE ur.resource_id = ANY($1::uuid[])
               UNION ALL
               SELECT gr.resource_id, gm.user_id, gr.role, gr.group_id
                 FROM resource_group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id
                WHERE gr.resource_id = ANY($1::uuid[])) x
         JOIN resources r ON r.id = x.resource_id
         JOIN memberships m ON m.workspace_id = r.workspace_id AND m.user_id = x.user_id AND m.removed_at IS NULL
         JOIN users u ON u.id = m.user_id
         JOIN workspaces w ON w.id = m.workspace_id
         LEFT JOIN groups g ON g.id = x.group_id
        ORDER BY lower(u.email), u.id, (x.group_id IS NOT NULL), lower(g.name), g.id`,
      [ids],
    );
    const byResource = new Map<string, ResourceMember[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      byResource.get(row.resourceId)?.push({ user: workspaceUserFrom(row)!, role: row.grantRole, via: groupFrom(row, 'g_') });
    }
    return ids.map((id) => byResource.get(id)!);
  });
}

/** A person's grants by {workspaceId, userId}: direct roles and roles through the groups they are a member of. */
export interface UserKey {
  workspaceId: string;
  userId: string;
}

export function assignmentsOfUsers(ctx: Context): DataLoader<UserKey, ResourceAssignment[], string> {
  return loader(ctx, makeAssignmentsOfUsers);
}
function makeAssignmentsOfUsers(ctx: Context) {
  return new DataLoader<UserKey, ResourceAssignment[], string>(
    async (keys) => {
      // A page of people holds thousands of grants on a few hundred resources and groups. The
      // statement ranks those resources (in list order) and groups (by name) and answers one row
      // per person: their grants as [resource rank, role, group rank or 0], sorted; and two rows
      // more (n = 0 and n = -1) with the ids of the resources and of the groups in rank order.
      // Each resource and group is then read once, by its loader, and shared by its grants:
      // a few hundred JSON rows instead of thousands of wide ones, and no id looked up per grant.
      const rows = await queryRows<{ n: number; list: unknown[] }>(
        ctx.db,
        `WITH k AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS k(workspace_id, user_id, n)),
         grants AS (
           SELECT k.n, ur.resource_id, ur.role, NULL::uuid AS group_id
             FROM k JOIN resource_user_roles ur ON ur.workspace_id = k.workspace_id AND ur.user_id = k.user_id
           UNION ALL
           SELECT k.n, gr.resource_id, gr.role, gr.group_id
             FROM k JOIN groups g ON g.workspace_id = k.workspace_id
             JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = k.user_id
             JOIN resource_group_roles gr ON gr.group_id = g.id),
         resource_rank AS (
           SELECT r.id, row_number() OVER (ORDER BY r.type, r.created_at, r.id) AS rank
             FROM resources r WHERE r.id IN (SELECT resource_id FROM grants)),
         group_rank AS (
           SELECT g.id, row_number() OVER (ORDER BY lower(g.name), g.id) AS rank
             FROM groups g WHERE g.id IN (SELECT group_id FROM grants))
         SELECT 0 AS n, json_agg(id ORDER BY rank) AS list FROM resource_rank
         UNION ALL
         SELECT -1, json_agg(id ORDER BY rank) FROM group_rank
         UNION ALL
         SELECT grants.n::int, json_agg(json_build_array(rr.rank, grants.role, coalesce(gr.rank, 0)) ORDER BY rr.rank, gr.rank NULLS FIRST)
           FROM grants
           JOIN resource_rank rr ON rr.id = grants.resource_id
           LEFT JOIN group_rank gr ON gr.id = grants.group_id
          GROUP BY grants.n`,
        [keys.map((k) => k.workspaceId), keys.map((k) => k.userId)],
      );
      const idsOf = (n: number) => (rows.find((row) => row.n === n)?.list ?? []) as string[];
      const [resources, groups] = await Promise.all([resourcesById(ctx).loadMany(idsOf(0)), groupsById(ctx).loadMany(idsOf(-1))]);
      const grantsOf: ResourceAssignment[][] = keys.map(() => []);
      for (const row of rows) {
        if (row.n <= 0) continue;
        const grants = grantsOf[row.n - 1];
        for (const [resourceRank, role, groupRank] of row.list as Array<[number, ResourceAssignment['role'], number]>) {
          const resource = resources[resourceRank - 1];
          if (!resource || resource instanceof Error) continue; // deleted between the two reads
          const group = groupRank > 0 ? groups[groupRank - 1] : null;
          grants.push({ resource, role, via: group instanceof Error ? null : (group ?? null) });
        }
      }
      return grantsOf;
    },
    { cacheKeyFn: (k) => `${k.workspaceId}:${k.userId}` },
  );
}
