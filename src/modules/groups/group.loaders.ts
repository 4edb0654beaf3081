import DataLoader from 'dataloader';
import { listScope, type Visibility } from '../../authorization/lists';
import { loader, type Context } from '../../server/context';
import { perWorkspace, type UserKey } from '../resources/resource.loaders';
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
  return (ctx: Context) =>
    new DataLoader<string, WorkspaceUser[]>((ids) =>
      perWorkspace(
        ctx,
        ids,
        workspaceOfGroup(ctx),
        async (viewer, some) => {
          const byGroup = await peopleOfGroups(ctx.db, table, some, listScope(rule, viewer) as Visibility<'person'>);
          return some.map((id) => byGroup.get(id) ?? []);
        },
        () => [],
      ),
    );
}
const makeGroupMembers = makePeopleOf('group_members');
const makeGroupManagers = makePeopleOf('group_managers');

export function groupMembers(ctx: Context): DataLoader<string, WorkspaceUser[]> {
  return loader(ctx, makeGroupMembers);
}

export function groupManagers(ctx: Context): DataLoader<string, WorkspaceUser[]> {
  return loader(ctx, makeGroupManagers);
}

/** The roles each group holds that the viewer may see (scopes.ts, seesGrant), by group id. */
export function groupAssignments(ctx: Context): DataLoader<string, GroupAssignment[]> {
  return loader(ctx, makeGroupAssignments);
}
function makeGroupAssignments(ctx: Context) {
  return new DataLoader<string, GroupAssignment[]>((ids) =>
    perWorkspace(
      ctx,
      ids,
      workspaceOfGroup(ctx),
      async (viewer, some) => {
        const byGroup = await rolesOfGroups(ctx.db, some, viewer);
        return some.map((id) => byGroup.get(id) ?? []);
      },
      () => [],
    ),
  );
}

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
