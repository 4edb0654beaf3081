import type { EntityManager } from 'typeorm';
import type { RuleName } from '../../authorization/policy';
import type { Context } from '../../server/context';
import { AppError, badInput, notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { runMutation, type PeopleToLock } from '../common/mutation';
import type { GroupAssignment } from '../groups/group-assignment.types';
import type { AssignGroupInput, UnassignGroupInput } from '../groups/group.inputs';
import { lockGroupForAssignment, membersOfGroup } from '../groups/groups.data';
import type { LockedMember } from '../users/users.data';
import type { ResourceAssignment } from './assignment.types';
import type { ResourceRole } from './resource.entity';
import type { AssignUserInput, UnassignUserInput } from './resource.inputs';
import { TYPE_NAME } from './resource.service';
import type { Resource } from './resource.types';
import {
  deleteRole,
  lockResources,
  peopleWithMoreRolesThan,
  resourcesOfGroup,
  resourcesWithMoreMembersThan,
  rolesHeld,
  setRole,
  withoutLiveAdmin,
  type Holder,
} from './resources.data';

/** INVARIANT when one of the (locked) resources is left without a direct ADMIN who is INVITED or JOINED. */
async function keepsLiveAdmins(tx: EntityManager, resourceIds: readonly string[]): Promise<void> {
  if (resourceIds.length === 0) return;
  const orphans = await withoutLiveAdmin(tx, resourceIds);
  if (orphans.length > 0) throw new AppError('INVARIANT', 'Every resource keeps at least one direct ADMIN who is INVITED or JOINED', { resources: orphans });
}

/**
 * INVARIANT when roles just given on `added` resources pass a cap (server/limits/caps.ts),
 * counted after the change: the roles of the person (or of the group, and of each of its
 * members), and the members of each resource.
 */
async function keepsRoleCaps(tx: EntityManager, workspaceId: string, holder: Holder, added: readonly string[]): Promise<void> {
  if (added.length === 0) return;
  let people: readonly string[];
  if ('person' in holder) people = [holder.person];
  else {
    if ((await resourcesOfGroup(tx, holder.group)).length > CAPS.groupRoles) {
      throw capExceeded('groupRoles', 'The group would hold more roles than a group may', { groupId: holder.group });
    }
    people = await membersOfGroup(tx, holder.group);
  }
  const busy = await peopleWithMoreRolesThan(tx, workspaceId, people, CAPS.personRoles);
  if (busy.length > 0) throw capExceeded('personRoles', 'These people would hold more roles than a person may', { userIds: busy });
  const full = await resourcesWithMoreMembersThan(tx, added, CAPS.resourceMembers);
  if (full.length > 0) throw capExceeded('resourceMembers', 'These resources would have more members than a resource may', { resourceIds: full });
}

/** A person holder's membership, held FOR SHARE so they are not removed meanwhile. */
const holderPeople = (holder: Holder): PeopleToLock => ('person' in holder ? { share: [holder.person] } : {});

/**
 * Locks a group holder (against its deletion), then the resources (a person holder is locked
 * with the actor); answers the person's status and the resources.
 */
async function lockHolderAndResources(tx: EntityManager, people: Map<string, LockedMember>, holder: Holder, resourceIds: readonly string[]) {
  const status = 'person' in holder ? people.get(holder.person)?.status : null;
  if ('group' in holder) await lockGroupForAssignment(tx, holder.group);
  return { status, resources: await lockResources(tx, resourceIds) };
}

interface Grant {
  rule: RuleName;
  input: object;
  workspaceId: string;
  holder: Holder;
  /** How the audit entries name the holder. */
  who: Record<string, string>;
}

/** One role on up to 100 resources of one type, all or nothing; giving it again changes it; demoting the last live direct ADMIN is INVARIANT. */
async function giveRole(ctx: Context, g: Grant & { resourceIds: string[]; role: ResourceRole; action: string }): Promise<Resource[]> {
  const { workspaceId, holder, resourceIds: ids, role } = g;
  return runMutation(ctx, {
    rule: g.rule,
    args: { input: g.input },
    workspaceId,
    what: 'resource',
    people: () => holderPeople(holder),
    lock: (tx, people) => lockHolderAndResources(tx, people, holder, ids),
    change: async (tx, { status, resources }) => {
      // A DECLINED or REMOVED person is given nothing until invited again.
      if (status === 'DECLINED' || status === 'REMOVED') {
        throw badInput('input.userId', `A ${status} person cannot be given roles or put in groups until invited again`, { status });
      }
      const before = await rolesHeld(tx, holder, ids);
      await setRole(tx, workspaceId, holder, ids, role);
      await keepsRoleCaps(tx, workspaceId, holder, ids.filter((id) => !before.has(id)));
      if ('person' in holder && role !== 'ADMIN') await keepsLiveAdmins(tx, ids.filter((id) => before.get(id) === 'ADMIN'));
      const audit = resources
        .filter((r) => before.get(r.id) !== role)
        .map((r) => ({ workspaceId, actorId: ctx.viewer!.userId, action: g.action, targetType: TYPE_NAME[r.type], targetId: r.id, details: { ...g.who, from: before.get(r.id) ?? null, to: role } }));
      return { result: resources, audit };
    },
  });
}

/** Takes a holder's role on one resource away: true when there was one; taking the last live direct ADMIN is INVARIANT. */
async function takeRole(ctx: Context, g: Grant & { resourceId: string; action: string }): Promise<boolean> {
  const { workspaceId, holder, resourceId } = g;
  return runMutation(ctx, {
    rule: g.rule,
    args: { input: g.input },
    workspaceId,
    what: 'resource',
    people: () => holderPeople(holder),
    lock: (tx, people) => lockHolderAndResources(tx, people, holder, [resourceId]),
    change: async (tx, { resources: [resource] }) => {
      const role = await deleteRole(tx, resourceId, holder);
      if (!role) return { result: false };
      if ('person' in holder && role === 'ADMIN') await keepsLiveAdmins(tx, [resourceId]);
      const details = { ...g.who, from: role, to: null };
      return { result: true, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: g.action, targetType: TYPE_NAME[resource.type], targetId: resourceId, details }] };
    },
  });
}

/** assignUser (the rule assignUser). Works on INVITED people too. */
export async function assignUser(ctx: Context, input: AssignUserInput): Promise<ResourceAssignment[]> {
  const { workspaceId, userId, resourceIds, role } = input;
  const resources = await giveRole(ctx, { rule: 'assignUser', input, workspaceId, holder: { person: userId }, who: { userId }, resourceIds, role, action: 'assignUser' });
  const byId = new Map(resources.map((r) => [r.id, r]));
  return resourceIds.map((id) => ({ resource: byId.get(id)!, role, via: null }));
}

/** unassignUser: a person's direct role on one resource (roles through groups stay). */
export function unassignUser(ctx: Context, input: UnassignUserInput): Promise<boolean> {
  const { workspaceId, userId, resourceId } = input;
  return takeRole(ctx, { rule: 'unassignUser', input, workspaceId, holder: { person: userId }, who: { userId }, resourceId, action: 'unassignUser' });
}

/** The workspace of the resources named: the actor acts there (the rule has found them all in one). */
async function workspaceOf(ctx: Context, resourceId: string): Promise<string> {
  const facts = await ctx.access.resource(resourceId);
  if (!facts) throw notFound('resource');
  return facts.workspaceId;
}

/** assignGroup: its members (not its managers) hold the role from now on. */
export async function assignGroup(ctx: Context, input: AssignGroupInput): Promise<GroupAssignment[]> {
  const { groupId, resourceIds, role } = input;
  const workspaceId = await workspaceOf(ctx, resourceIds[0]);
  const resources = await giveRole(ctx, { rule: 'assignGroup', input, workspaceId, holder: { group: groupId }, who: { groupId }, resourceIds, role, action: 'assignGroup' });
  const byId = new Map(resources.map((r) => [r.id, r]));
  return resourceIds.map((id) => ({ resource: byId.get(id)!, role }));
}

/** unassignGroup: its members lose the role at once. */
export async function unassignGroup(ctx: Context, input: UnassignGroupInput): Promise<boolean> {
  const { groupId, resourceId } = input;
  const workspaceId = await workspaceOf(ctx, resourceId);
  return takeRole(ctx, { rule: 'assignGroup', input, workspaceId, holder: { group: groupId }, who: { groupId }, resourceId, action: 'unassignGroup' });
}
