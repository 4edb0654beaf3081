import DataLoader from 'dataloader';
import { listScope, type Visibility } from '../../authorization/lists';
import { loader, type Context } from '../../server/context';
import { perVariant, perWorkspace, type UserKey } from '../resources/resource.loaders';
import { rolesOfGroups } from '../resources/resources.data';
import type { WorkspaceUser } from '../users/workspace-user.types';
import type { GroupAssignment } from './group-assignment.types';
import type { Group } from './group.types';
import { groupsByIds, groupTiesOfPeople, peopleOfGroups, type GroupTie } from './groups.data';

/** Per-request, batched readers of groups: one statement per batch (and workspace). */

export function groupsById(ctx: Context): DataLoader<string, Group | null> {
  return loader(ctx, makeGroupsById);
}
function makeGroupsById(ctx: Context) {
  return new DataLoader<string, Group | null>(async (ids) => {
    const byId = new Map((await groupsByIds(ctx.db, ids)).map((g) => [g.id, g]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

const workspaceOfGroup = (ctx: Context) => async (id: string) => (await ctx.access.group(id))?.workspaceId ?? null;

/** The people of each group's members or managers the viewer may see, by group id (the rule seeGroupMembers / seeGroupManagers has let them see the list). */
function makePeopleOf(table: 'group_members' | 'group_managers') {
  const rule = table === 'group_members' ? 'seeGroupMembers' : 'seeGroupManagers';
  return (ctx: Context, limit: number) =>
    new DataLoader<string, WorkspaceUser[]>((ids) =>
      perWorkspace(
        ctx,
        ids,
        workspaceOfGroup(ctx),
        async (viewer, some) => {
          const byGroup = await peopleOfGroups(ctx.db, table, some, listScope(rule, viewer) as Visibility<'person'>, limit);
          return some.map((id) => byGroup.get(id) ?? []);
        },
        () => [],
      ),
    );
}

/** The first `limit` members of each group, by group id. */
export const groupMembers = perVariant(makePeopleOf('group_members'), (limit: number) => limit);

/** The first `limit` managers of each group, by group id. */
export const groupManagers = perVariant(makePeopleOf('group_managers'), (limit: number) => limit);

/** The first `limit` roles each group holds that the viewer may see (scopes.ts, seesGrant), by group id. */
export const groupAssignments = perVariant(
  (ctx, limit: number) =>
    new DataLoader<string, GroupAssignment[]>((ids) =>
      perWorkspace(
        ctx,
        ids,
        workspaceOfGroup(ctx),
        async (viewer, some) => {
          const byGroup = await rolesOfGroups(ctx.db, some, viewer, limit);
          return some.map((id) => byGroup.get(id) ?? []);
        },
        () => [],
      ),
    ),
  (limit) => limit,
);

/** The groups a person belongs to or manages, as the viewer may know them (scopes.ts, seesGroupTie), by {workspaceId, userId}. */
export function groupsOfUsers(ctx: Context): DataLoader<UserKey, GroupTie[], string> {
  return loader(ctx, makeGroupsOfUsers);
}
function makeGroupsOfUsers(ctx: Context) {
  const keyOf = (k: UserKey) => `${k.workspaceId}:${k.userId}`;
  return new DataLoader<UserKey, GroupTie[], string>(
    (keys) =>
      perWorkspace(
        ctx,
        keys,
        async (k) => k.workspaceId,
        async (viewer, some) => {
          const ties = await groupTiesOfPeople(ctx.db, some, viewer);
          const byKey = new Map<string, GroupTie[]>(some.map((k) => [keyOf(k), []]));
          for (const { userId, ...tie } of ties) byKey.get(`${tie.group.workspaceId}:${userId}`)?.push(tie);
          return some.map((k) => byKey.get(keyOf(k))!);
        },
        () => [],
      ),
    { cacheKeyFn: keyOf },
  );
}
