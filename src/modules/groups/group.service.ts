import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { listScope, type Visibility } from '../../authorization/lists';
import { isUniqueViolation, type Queryable } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, conflict, notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import type { AuditRecord } from '../audit/audit.data';
import { runMutation } from '../common/mutation';
import { domainOf, nameKey } from '../common/validation';
import { lockResourcesOfGroups, peopleWithMoreRolesThan, resourcesOfGroup, resourcesWithMoreMembersThan } from '../resources/resources.data';
import type { LockedMember } from '../users/users.data';
import type { Workspace } from '../workspaces/workspace.types';
import type { CreateGroupInput, GroupUsersInput, UpdateGroupInput } from './group.inputs';
import { groupsById } from './group.loaders';
import type { Group } from './group.types';
import {
  addPeople,
  deleteGroupRow,
  groupCount,
  groupSize,
  insertGroup,
  internalDomains,
  listGroups as listRows,
  lockGroup,
  peopleInMoreGroupsThan,
  removePeople,
  updateGroupRow,
} from './groups.data';

type Table = 'group_members' | 'group_managers';

/** Group names are unique in a workspace as names compare (docs/permissions.md, "Names"; index groups_workspace_name_key). */
async function uniqueName<T>(name: string | null | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A group named "${name}" already exists in this workspace`, { field: 'input.name' });
    throw error;
  }
}

/**
 * Who may be put in a group: people of the workspace who are INVITED or JOINED (a DECLINED or
 * REMOVED person is not, until invited again); managers must also be internal (their email's
 * domain is one of the workspace's, held still meanwhile) and not TASKERs (a manager must see
 * people, and a TASKER sees no other person). The rule has checked that the viewer sees each.
 */
async function checkNewcomers(tx: Queryable, workspaceId: string, people: LockedMember[], field: string, managers: boolean): Promise<void> {
  const barred = people.filter((p) => p.status === 'DECLINED' || p.status === 'REMOVED');
  if (barred.length > 0) {
    throw badInput(field, 'A DECLINED or REMOVED person cannot be put in a group until invited again', { invalid: barred.map((p) => p.userId) });
  }
  if (!managers || people.length === 0) return;
  const taskers = people.filter((p) => p.role === 'TASKER');
  if (taskers.length > 0) throw badInput(field, 'A TASKER cannot manage a group: a TASKER sees no other person', { invalid: taskers.map((p) => p.userId) });
  const domains = await internalDomains(tx, workspaceId);
  const external = people.filter((p) => !domains.includes(domainOf(p.email)));
  if (external.length > 0) {
    throw badInput(field, "Group managers must be internal users (their email's domain is one of the workspace's internal domains)", {
      invalid: external.map((p) => p.userId),
    });
  }
}

const pick = (people: LockedMember[], ids: readonly string[]) => people.filter((p) => ids.includes(p.userId));

/**
 * INVARIANT when what was just added passes a cap (server/limits/caps.ts), counted after the
 * change, in its transaction: the group's size, the groups each person is in, and for new
 * members (who now hold the group's roles) their roles and the members of the group's resources.
 */
async function keepsGroupCaps(tx: Queryable, workspaceId: string, groupId: string, added: { members: readonly string[]; managers: readonly string[]; newGroup?: boolean }) {
  if (added.newGroup && (await groupCount(tx, workspaceId)) > CAPS.workspaceGroups) {
    throw capExceeded('workspaceGroups', 'The workspace would have more groups than a workspace may have', { workspaceId });
  }
  const { members, managers } = added;
  if (members.length === 0 && managers.length === 0) return;
  const size = await groupSize(tx, groupId);
  if (members.length > 0 && size.members > CAPS.groupMembers) throw capExceeded('groupMembers', 'The group would have more members than a group may have', { groupId });
  if (managers.length > 0 && size.managers > CAPS.groupManagers) throw capExceeded('groupManagers', 'The group would have more managers than a group may have', { groupId });
  const crowded = await peopleInMoreGroupsThan(tx, workspaceId, [...members, ...managers], CAPS.personGroups);
  if (crowded.length > 0) throw capExceeded('personGroups', 'These people would be in more groups than a person may be', { userIds: crowded });
  if (members.length === 0) return;
  const busy = await peopleWithMoreRolesThan(tx, workspaceId, members, CAPS.personRoles);
  if (busy.length > 0) throw capExceeded('personRoles', "Through this group's roles, these people would hold more roles than a person may", { userIds: busy });
  const full = await resourcesWithMoreMembersThan(tx, await resourcesOfGroup(tx, groupId), CAPS.resourceMembers);
  if (full.length > 0) throw capExceeded('resourceMembers', "Through this group's roles, these resources would have more members than a resource may", { resourceIds: full });
}

/** The workspace a group is in, as the viewer's facts say (the rule has decided they see it, or answers NOT_FOUND). */
async function workspaceOf(ctx: Context, groupId: string): Promise<string> {
  const group = await ctx.access.group(groupId);
  if (!group) throw notFound('group');
  return group.workspaceId;
}

/**
 * Locks what a change of a group's people holds still, after the people named (held with the
 * actor): the group, and (when members may leave) the resources it gives roles on.
 */
async function lockGroupChange(tx: EntityManager, locked: Map<string, LockedMember>, groupId: string, userIds: readonly string[], membersMayLeave: boolean) {
  const group = await lockGroup(tx, groupId);
  if (group && membersMayLeave) await lockResourcesOfGroups(tx, [groupId]);
  return { people: pick([...locked.values()], userIds), group: group! };
}

/** createGroup: ADMINs and WORKFORCE_MANAGERs; members and managers in the same call, each passing the rule of adding them (effects.ts). */
export async function createGroup(ctx: Context, input: CreateGroupInput): Promise<Group> {
  const { workspaceId } = input;
  const memberIds = input.memberIds ?? [];
  const managerIds = input.managerIds ?? [];
  const actorId = ctx.viewer!.userId;
  return uniqueName(input.name, () =>
    runMutation(ctx, {
      rule: 'createGroup',
      args: { input },
      workspaceId,
      what: 'user',
      people: () => ({ share: [...memberIds, ...managerIds] }),
      lock: (_tx, people) => [...people.values()],
      change: async (tx, people) => {
        await checkNewcomers(tx, workspaceId, pick(people, memberIds), 'input.memberIds', false);
        await checkNewcomers(tx, workspaceId, pick(people, managerIds), 'input.managerIds', true);
        const id = randomUUID();
        const group = await insertGroup(tx, { id, workspaceId, name: input.name, nameKey: nameKey(input.name), description: input.description || null, createdBy: actorId });
        await addPeople(tx, 'group_members', id, memberIds);
        await addPeople(tx, 'group_managers', id, managerIds);
        await keepsGroupCaps(tx, workspaceId, id, { members: memberIds, managers: managerIds, newGroup: true });
        const details = { name: input.name, description: input.description || null, memberIds, managerIds };
        return { result: group, audit: [{ workspaceId, actorId, action: 'createGroup', targetType: 'Group', targetId: id, details }] };
      },
    }),
  );
}

/** Who comes (in the new list, not in the old) and who goes. */
function comesAndGoes(now: readonly string[], next: readonly string[] | null | undefined) {
  if (next == null) return { comes: [] as string[], goes: [] as string[] };
  return { comes: next.filter((id) => !now.includes(id)), goes: now.filter((id) => !next.includes(id)) };
}

/**
 * updateGroup, one save of the group dialog, all or nothing: ADMINs and the WORKFORCE_MANAGER
 * who created it (the rule updateGroup); memberIds and managerIds, when given, are the whole
 * new lists, and each change they imply passes its own rule (effects.ts).
 */
export async function updateGroup(ctx: Context, input: UpdateGroupInput): Promise<Group> {
  const { groupId } = input;
  const workspaceId = await workspaceOf(ctx, groupId);
  const named = [...new Set([...(input.memberIds ?? []), ...(input.managerIds ?? [])])];
  const actorId = ctx.viewer!.userId;
  return uniqueName(input.name, () =>
    runMutation(ctx, {
      rule: 'updateGroup',
      args: { input },
      workspaceId,
      what: 'group',
      people: () => ({ share: named }),
      lock: (tx, people) => lockGroupChange(tx, people, groupId, named, input.memberIds != null),
      change: async (tx, { people, group }, txCtx) => {
        const now = await txCtx.access.groupPeople(groupId);
        const members = comesAndGoes(now.members, input.memberIds);
        const managers = comesAndGoes(now.managers, input.managerIds);
        await checkNewcomers(tx, workspaceId, pick(people, members.comes), 'input.memberIds', false);
        await checkNewcomers(tx, workspaceId, pick(people, managers.comes), 'input.managerIds', true);
        const after = await updateGroupRow(tx, groupId, {
          name: input.name ?? null,
          nameKey: input.name ? nameKey(input.name) : null,
          setDescription: input.description !== undefined && input.description !== null,
          description: input.description || null,
        });
        await addPeople(tx, 'group_members', groupId, members.comes);
        await removePeople(tx, 'group_members', groupId, members.goes);
        await addPeople(tx, 'group_managers', groupId, managers.comes);
        await removePeople(tx, 'group_managers', groupId, managers.goes);
        await keepsGroupCaps(tx, workspaceId, groupId, { members: members.comes, managers: managers.comes });
        const audit: AuditRecord[] = [];
        const record = (action: string, details: Record<string, unknown>) => audit.push({ workspaceId, actorId, action, targetType: 'Group', targetId: groupId, details });
        if (after.name !== group.name || after.description !== group.description) {
          record('updateGroup', { from: { name: group.name, description: group.description }, to: { name: after.name, description: after.description } });
        }
        if (members.comes.length) record('addGroupMembers', { userIds: members.comes, via: 'updateGroup' });
        if (members.goes.length) record('removeGroupMembers', { userIds: members.goes, via: 'updateGroup' });
        if (managers.comes.length) record('addGroupManagers', { userIds: managers.comes, via: 'updateGroup' });
        if (managers.goes.length) record('removeGroupManagers', { userIds: managers.goes, via: 'updateGroup' });
        return { result: after, audit };
      },
    }),
  );
}

/** deleteGroup: ADMINs and the WORKFORCE_MANAGER who created it. Its members lose its roles at once. */
export async function deleteGroup(ctx: Context, groupId: string): Promise<boolean> {
  const workspaceId = await workspaceOf(ctx, groupId);
  const actorId = ctx.viewer!.userId;
  return runMutation(ctx, {
    rule: 'deleteGroup',
    args: { groupId },
    workspaceId,
    what: 'group',
    lock: (tx, people) => lockGroupChange(tx, people, groupId, [], true),
    change: async (tx, { group }) => {
      const counts = await deleteGroupRow(tx, groupId);
      return { result: true, audit: [{ workspaceId, actorId, action: 'deleteGroup', targetType: 'Group', targetId: groupId, details: { name: group.name, ...counts } }] };
    },
  });
}

type PeopleChange = 'addGroupMembers' | 'removeGroupMembers' | 'addGroupManagers' | 'removeGroupManagers';

/**
 * Adds or removes members (the rules addGroupMembers and removeGroupMembers) or managers
 * (editGroupManagers). Idempotent: naming someone already in (or already out) changes nothing for them.
 */
export async function changeGroupPeople(ctx: Context, action: PeopleChange, input: GroupUsersInput): Promise<Group> {
  const { groupId, userIds } = input;
  const table: Table = action.endsWith('Members') ? 'group_members' : 'group_managers';
  const adding = action.startsWith('add');
  const workspaceId = await workspaceOf(ctx, groupId);
  const actorId = ctx.viewer!.userId;
  return runMutation(ctx, {
    rule: action === 'addGroupMembers' || action === 'removeGroupMembers' ? action : 'editGroupManagers',
    args: { input },
    workspaceId,
    what: 'group',
    people: () => ({ share: userIds }),
    lock: (tx, people) => lockGroupChange(tx, people, groupId, userIds, !adding && table === 'group_members'),
    change: async (tx, { people, group }) => {
      if (adding) await checkNewcomers(tx, workspaceId, people, 'input.userIds', table === 'group_managers');
      const changed = adding ? await addPeople(tx, table, groupId, userIds) : await removePeople(tx, table, groupId, userIds);
      if (adding) await keepsGroupCaps(tx, workspaceId, groupId, table === 'group_members' ? { members: changed, managers: [] } : { members: [], managers: changed });
      if (changed.length === 0) return { result: group };
      return { result: group, audit: [{ workspaceId, actorId, action, targetType: 'Group', targetId: groupId, details: { userIds: changed } }] };
    },
  });
}

/** Workspace.groups: the first `limit` groups the viewer sees (the rule seeGroups and its scope), by name. */
export async function listGroups(ctx: Context, workspace: Workspace, limit: number): Promise<Group[]> {
  const actor = await ctx.access.actor(workspace.id);
  if (!actor) return [];
  const groups = await listRows(ctx.db, workspace.id, listScope('seeGroups', actor) as Visibility<'group'>, limit);
  const loader = groupsById(ctx);
  for (const group of groups) loader.prime(group.id, group);
  return groups;
}

/** Workspace.group(id): the rule seeGroup has decided the viewer sees it. */
export function findGroup(ctx: Context, id: string): Promise<Group | null> {
  return groupsById(ctx).load(id.toLowerCase());
}
