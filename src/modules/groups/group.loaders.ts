import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import { resourceColumns, resourceFrom } from '../resources/resource.columns';
import type { UserKey } from '../resources/resource.loaders';
import { WORKSPACE_USER_COLUMNS, WORKSPACE_USER_FROM } from '../users/workspace-user.loader';
import type { WorkspaceUser } from '../users/workspace-user.types';
import { groupColumns, groupFrom } from './group.columns';
import type { GroupAssignment } from './group-assignment.types';
import type { Group } from './group.types';

/**
 * Per-request, batched readers of groups: one SQL statement per batch of keys. Visibility is
 * the caller's business (the rules of policy.ts, with ctx.access's facts).
 */

export function groupsById(ctx: Context): DataLoader<string, Group | null> {
  return loader(ctx, makeGroupsById);
}
function makeGroupsById(ctx: Context) {
  return new DataLoader<string, Group | null>(async (ids) => {
    const rows = await queryRows(ctx.db, `SELECT ${groupColumns()} FROM groups g WHERE g.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id as string, groupFrom(row)!]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** The (non-removed) people of each group's members or managers table, by group id. */
function makePeopleOf(table: 'group_members' | 'group_managers') {
  return (ctx: Context) =>
    new DataLoader<string, WorkspaceUser[]>(async (ids) => {
      const rows = await queryRows(
        ctx.db,
        `SELECT x.group_id AS "groupId", ${WORKSPACE_USER_COLUMNS}
           FROM ${table} x
           JOIN groups g ON g.id = x.group_id
           JOIN ${WORKSPACE_USER_FROM} ON m.workspace_id = g.workspace_id AND m.user_id = x.user_id
          WHERE x.group_id = ANY($1::uuid[]) AND m.removed_at IS NULL
          ORDER BY lower(u.email), u.id`,
        [ids],
      );
      const byGroup = new Map<string, WorkspaceUser[]>(ids.map((id) => [id, []]));
      for (const { groupId, ...user } of rows) byGroup.get(groupId)?.push(user as WorkspaceUser);
      return ids.map((id) => byGroup.get(id)!);
    });
}
const makeGroupMembers = makePeopleOf('group_members');
const makeGroupManagers = makePeopleOf('group_managers');

export function groupMembers(ctx: Context): DataLoader<string, WorkspaceUser[]> {
  return loader(ctx, makeGroupMembers);
}

export function groupManagers(ctx: Context): DataLoader<string, WorkspaceUser[]> {
  return loader(ctx, makeGroupManagers);
}

/** The roles each group holds, by group id. */
export function groupAssignments(ctx: Context): DataLoader<string, GroupAssignment[]> {
  return loader(ctx, makeGroupAssignments);
}
function makeGroupAssignments(ctx: Context) {
  return new DataLoader<string, GroupAssignment[]>(async (ids) => {
    const rows = await queryRows(
      ctx.db,
      `SELECT gr.group_id AS "groupId", gr.role AS "grantRole", ${resourceColumns('r', 'r_')}
         FROM resource_group_roles gr JOIN resources r ON r.id = gr.resource_id
        WHERE gr.group_id = ANY($1::uuid[])
        ORDER BY r.type, r.created_at, r.id`,
      [ids],
    );
    const byGroup = new Map<string, GroupAssignment[]>(ids.map((id) => [id, []]));
    for (const row of rows) byGroup.get(row.groupId)?.push({ resource: resourceFrom(row, 'r_'), role: row.grantRole });
    return ids.map((id) => byGroup.get(id)!);
  });
}

/** A person's relation to a group of their workspace. */
export interface GroupTie {
  group: Group;
  member: boolean;
  manager: boolean;
}

/** The groups a person belongs to or manages, by {workspaceId, userId}. */
export function groupsOfUsers(ctx: Context): DataLoader<UserKey, GroupTie[], string> {
  return loader(ctx, makeGroupsOfUsers);
}
function makeGroupsOfUsers(ctx: Context) {
  const keyOf = (k: UserKey) => `${k.workspaceId}:${k.userId}`;
  return new DataLoader<UserKey, GroupTie[], string>(
    async (keys) => {
      const rows = await queryRows(
        ctx.db,
        `WITH k(workspace_id, user_id) AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]))
         SELECT x.user_id AS "userId", ${groupColumns('g', 'g_')}, bool_or(x.member) AS member, bool_or(NOT x.member) AS manager
           FROM (SELECT group_id, user_id, true AS member FROM group_members WHERE user_id = ANY($2::uuid[])
                 UNION ALL
                 SELECT group_id, user_id, false FROM group_managers WHERE user_id = ANY($2::uuid[])) x
           JOIN groups g ON g.id = x.group_id
           JOIN k ON k.user_id = x.user_id AND k.workspace_id = g.workspace_id
          GROUP BY x.user_id, g.id
          ORDER BY lower(g.name), g.id`,
        [keys.map((k) => k.workspaceId), keys.map((k) => k.userId)],
      );
      const byKey = new Map<string, GroupTie[]>(keys.map((k) => [keyOf(k), []]));
      for (const row of rows) {
        const group = groupFrom(row, 'g_')!;
        byKey.get(`${group.workspaceId}:${row.userId}`)?.push({ group, member: row.member, manager: row.manager });
      }
      return keys.map((k) => byKey.get(keyOf(k))!);
    },
    { cacheKeyFn: keyOf },
  );
}
