import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { forgetReads } from '../resources/visibility';
import { checkRoleFits, lockResources, uniqueIds } from '../resources/assignment.service';
import type { ResourceRole } from '../resources/resource.entity';
import { TYPE_NAME } from '../resources/resource.service';
import type { GroupAssignment } from './group-assignment.types';
import type { AssignGroupInput, UnassignGroupInput } from './group.inputs';

/**
 * The group named, in the resources' workspace (the rule assignGroup has found that workspace
 * and checked the viewer on every resource). PERMISSIONS.md puts no condition on the group:
 * an ADMIN of the resources may give them to any group of the workspace (the answer tells
 * nothing about the group, and never its managers). Loaded before the transaction.
 */
async function groupFor(ctx: Context, groupId: string, resourceId: string) {
  const [group, resource] = await Promise.all([ctx.access.group(groupId), ctx.access.resource(resourceId)]);
  if (!group || !resource || group.workspaceId !== resource.workspaceId) throw notFound('group');
  return group;
}

/** Locks the group against a concurrent delete; NOT_FOUND if it is gone. */
async function holdGroup(tx: EntityManager, groupId: string): Promise<void> {
  const row = await queryOne(tx, `SELECT 1 FROM groups WHERE id = $1 FOR KEY SHARE`, [groupId]);
  if (!row) throw notFound('group');
}

/**
 * Gives the group one role on up to 100 resources of one type, all or nothing; its members
 * (not its managers) hold it from now on.
 */
export async function assignGroup(ctx: Context, input: AssignGroupInput): Promise<GroupAssignment[]> {
  checkRoleFits(input.resourceType, input.role);
  const ids = uniqueIds(input.resourceIds);
  const group = await groupFor(ctx, input.groupId, ids[0]);
  const actorId = ctx.viewer!.userId;
  const resources = await ctx.db.transaction(async (tx) => {
    const locked = await lockResources(tx, ids);
    await holdGroup(tx, group.id);
    const before = new Map(
      (
        await queryRows<{ resourceId: string; role: ResourceRole }>(
          tx,
          `SELECT resource_id AS "resourceId", role FROM resource_group_roles WHERE group_id = $1 AND resource_id = ANY($2::uuid[])`,
          [group.id, ids],
        )
      ).map((r) => [r.resourceId, r.role]),
    );
    await tx.query(
      `INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role)
       SELECT id, $2, $3, $4 FROM unnest($1::uuid[]) AS id
       ON CONFLICT (resource_id, group_id) DO UPDATE SET role = EXCLUDED.role`,
      [ids, group.id, group.workspaceId, input.role],
    );
    await audit(
      tx,
      ...locked
        .filter((r) => before.get(r.id) !== input.role)
        .map((r) => ({
          workspaceId: group.workspaceId,
          actorId,
          action: 'assignGroup',
          targetType: TYPE_NAME[r.type],
          targetId: r.id,
          details: { groupId: group.id, from: before.get(r.id) ?? null, to: input.role },
        })),
    );
    return locked;
  });
  forgetReads(ctx);
  const byId = new Map(resources.map((r) => [r.id, r]));
  return ids.map((id) => ({ resource: byId.get(id)!, role: input.role }));
}

/** Takes the group's role on one resource away; its members lose it at once. True when there was one. */
export async function unassignGroup(ctx: Context, input: UnassignGroupInput): Promise<boolean> {
  const resourceId = input.resourceId.toLowerCase();
  const group = await groupFor(ctx, input.groupId, resourceId);
  const actorId = ctx.viewer!.userId;
  const removed = await ctx.db.transaction(async (tx) => {
    const [resource] = await lockResources(tx, [resourceId]);
    await holdGroup(tx, group.id);
    const row = await queryOne<{ role: ResourceRole }>(
      tx,
      `DELETE FROM resource_group_roles WHERE resource_id = $1 AND group_id = $2 RETURNING role`,
      [resourceId, group.id],
    );
    if (!row) return false;
    await audit(tx, {
      workspaceId: group.workspaceId,
      actorId,
      action: 'unassignGroup',
      targetType: TYPE_NAME[resource.type],
      targetId: resourceId,
      details: { groupId: group.id, from: row.role, to: null },
    });
    return true;
  });
  forgetReads(ctx);
  return removed;
}
