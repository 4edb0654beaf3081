import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../../authorization/access';
import { seesGroup } from '../../authorization/policy';
import { isUniqueViolation, queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { AppError, badInput, conflict, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { cleanDescription, cleanName } from '../common/validation';
import { actorIn, forgetReads } from '../resources/visibility';
import type { Workspace } from '../workspaces/workspace.types';
import { groupColumns, groupFrom } from './group.columns';
import type { CreateGroupInput, GroupUsersInput, UpdateGroupInput } from './group.inputs';
import { groupsById } from './group.loaders';
import type { Group } from './group.types';

/** At most this many people named in one call. */
export const MAX_GROUP_USERS = 1000;

/** Group names are unique in a workspace, compared case-insensitively after trimming (index groups_workspace_name_key). */
async function uniqueName<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A group named "${name}" already exists in this workspace`, { field: 'input.name' });
    throw error;
  }
}

/** Ids named in a list argument: de-duplicated, bounded. */
function idList(values: readonly string[] | null | undefined, field: string, { required }: { required: boolean }): string[] {
  const list = values ?? [];
  if (required && list.length === 0) throw badInput(field, 'Name at least one user');
  if (list.length > MAX_GROUP_USERS) throw badInput(field, `At most ${MAX_GROUP_USERS} users at once`);
  return [...new Set(list.map((id) => String(id).toLowerCase()))];
}

/**
 * The people named must be (non-removed) members of the workspace, in any status: NOT_FOUND
 * otherwise (with the ids it did not find). With `internal`, each must also be an internal
 * user (email domain among the workspace's internal domains): BAD_USER_INPUT otherwise. The
 * workspace row is read FOR SHARE so that its internal domains cannot change meanwhile.
 */
async function checkPeople(tx: EntityManager, workspaceId: string, ids: string[], field: string, internal: boolean): Promise<void> {
  if (ids.length === 0) return;
  const malformed = ids.filter((id) => !isUuid(id));
  const rows = await queryRows<{ id: string; internal: boolean }>(
    tx,
    `SELECT u.id, (split_part(lower(u.email), '@', 2) = ANY(w.internal_domains)) AS internal
       FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.workspace_id = $1 AND m.user_id = ANY($2::uuid[]) AND m.removed_at IS NULL`,
    [workspaceId, ids.filter(isUuid)],
  );
  const found = new Map(rows.map((r) => [r.id, r]));
  const missing = [...malformed, ...ids.filter((id) => isUuid(id) && !found.has(id))];
  if (missing.length > 0) throw new AppError('NOT_FOUND', 'No such user in this workspace', { field, invalid: missing });
  if (internal) {
    await tx.query(`SELECT 1 FROM workspaces WHERE id = $1 FOR SHARE`, [workspaceId]);
    const external = ids.filter((id) => !found.get(id)!.internal);
    if (external.length > 0) {
      throw badInput(field, "Group managers must be internal users (their email's domain is one of the workspace's internal domains)", {
        invalid: external,
      });
    }
  }
}

/** The group's row, locked against a concurrent delete or change; NOT_FOUND when it is gone. */
async function lockGroup(tx: EntityManager, groupId: string): Promise<Group> {
  const row = await queryOne(tx, `SELECT ${groupColumns()} FROM groups g WHERE g.id = $1 FOR NO KEY UPDATE`, [groupId]);
  if (!row) throw notFound('group');
  return groupFrom(row)!;
}

/** ADMINs and WORKFORCE_MANAGERs (the rule createGroup); members and managers in the same call. */
export async function createGroup(ctx: Context, input: CreateGroupInput): Promise<Group> {
  const name = cleanName(input.name, 'input.name');
  const description = cleanDescription(input.description, 'input.description');
  const memberIds = idList(input.memberIds, 'input.memberIds', { required: false });
  const managerIds = idList(input.managerIds, 'input.managerIds', { required: false });
  const actorId = ctx.viewer!.userId;
  const id = randomUUID();
  const group = await uniqueName(name, () =>
    ctx.db.transaction(async (tx) => {
      await checkPeople(tx, input.workspaceId, memberIds, 'input.memberIds', false);
      await checkPeople(tx, input.workspaceId, managerIds, 'input.managerIds', true);
      const row = await queryOne(
        tx,
        `INSERT INTO groups AS g (id, workspace_id, name, description, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${groupColumns()}`,
        [id, input.workspaceId, name, description, actorId],
      );
      await insertPeople(tx, 'group_members', id, memberIds);
      await insertPeople(tx, 'group_managers', id, managerIds);
      await audit(tx, {
        workspaceId: input.workspaceId,
        actorId,
        action: 'createGroup',
        targetType: 'Group',
        targetId: id,
        details: { name, description, memberIds, managerIds },
      });
      return groupFrom(row)!;
    }),
  );
  forgetReads(ctx);
  return group;
}

async function insertPeople(tx: EntityManager, table: 'group_members' | 'group_managers', groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await queryRows<{ userId: string }>(
    tx,
    `INSERT INTO ${table} (group_id, user_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
     ON CONFLICT DO NOTHING RETURNING user_id AS "userId"`,
    [groupId, userIds],
  );
  return rows.map((r) => r.userId);
}

async function deletePeople(tx: EntityManager, table: 'group_members' | 'group_managers', groupId: string, userIds: string[]): Promise<string[]> {
  const rows = await queryRows<{ userId: string }>(
    tx,
    `DELETE FROM ${table} WHERE group_id = $1 AND user_id = ANY($2::uuid[]) RETURNING user_id AS "userId"`,
    [groupId, userIds.filter(isUuid)],
  );
  return rows.map((r) => r.userId);
}

/** ADMINs and the WORKFORCE_MANAGER who created the group (the rule editGroup). */
export async function updateGroup(ctx: Context, input: UpdateGroupInput): Promise<Group> {
  const name = input.name == null ? null : cleanName(input.name, 'input.name');
  const setDescription = input.description !== undefined && input.description !== null;
  const description = setDescription ? cleanDescription(input.description, 'input.description') : null;
  const actorId = ctx.viewer!.userId;
  const group = await uniqueName(name ?? '', () =>
    ctx.db.transaction(async (tx) => {
      const before = await lockGroup(tx, input.groupId);
      const row = await queryOne(
        tx,
        `UPDATE groups AS g SET name = COALESCE($2, g.name), description = CASE WHEN $3::boolean THEN $4 ELSE g.description END
          WHERE g.id = $1 RETURNING ${groupColumns()}`,
        [before.id, name, setDescription, description],
      );
      const after = groupFrom(row)!;
      if (after.name !== before.name || after.description !== before.description) {
        await audit(tx, {
          workspaceId: before.workspaceId,
          actorId,
          action: 'updateGroup',
          targetType: 'Group',
          targetId: before.id,
          details: { from: { name: before.name, description: before.description }, to: { name: after.name, description: after.description } },
        });
      }
      return after;
    }),
  );
  forgetReads(ctx);
  return group;
}

/** ADMINs and the WORKFORCE_MANAGER who created it (the rule editGroup). Its members lose its roles at once. */
export async function deleteGroup(ctx: Context, groupId: string): Promise<boolean> {
  const actorId = ctx.viewer!.userId;
  await ctx.db.transaction(async (tx) => {
    const group = await lockGroup(tx, groupId);
    const counts = await queryOne(
      tx,
      `SELECT (SELECT count(*) FROM group_members WHERE group_id = $1)::int AS members,
              (SELECT count(*) FROM group_managers WHERE group_id = $1)::int AS managers,
              (SELECT count(*) FROM resource_group_roles WHERE group_id = $1)::int AS assignments`,
      [group.id],
    );
    await tx.query(`DELETE FROM groups WHERE id = $1`, [group.id]); // members, managers and roles go with it (ON DELETE CASCADE)
    await audit(tx, {
      workspaceId: group.workspaceId,
      actorId,
      action: 'deleteGroup',
      targetType: 'Group',
      targetId: group.id,
      details: { name: group.name, ...counts },
    });
  });
  forgetReads(ctx);
  return true;
}

type PeopleChange = 'addGroupMembers' | 'removeGroupMembers' | 'addGroupManagers' | 'removeGroupManagers';

/**
 * Adds or removes members (the rule editGroupMembers: ADMINs, the creating WORKFORCE_MANAGER,
 * the group's managers) or managers (editGroupManagers: ADMINs; managers must be internal).
 * Idempotent: naming someone already in (or already out) changes nothing for them.
 */
export async function changeGroupPeople(ctx: Context, action: PeopleChange, input: GroupUsersInput): Promise<Group> {
  const userIds = idList(input.userIds, 'input.userIds', { required: true });
  const table = action.endsWith('Members') ? 'group_members' : 'group_managers';
  const adding = action.startsWith('add');
  const actorId = ctx.viewer!.userId;
  const group = await ctx.db.transaction(async (tx) => {
    const group = await lockGroup(tx, input.groupId);
    let changed: string[];
    if (adding) {
      await checkPeople(tx, group.workspaceId, userIds, 'input.userIds', table === 'group_managers');
      changed = await insertPeople(tx, table, group.id, userIds);
    } else {
      changed = await deletePeople(tx, table, group.id, userIds);
    }
    if (changed.length > 0) {
      await audit(tx, { workspaceId: group.workspaceId, actorId, action, targetType: 'Group', targetId: group.id, details: { userIds: changed } });
    }
    return group;
  });
  forgetReads(ctx);
  return group;
}

/** ADMINs and WORKFORCE_MANAGERs see every group; others those they belong to or manage. By name. */
export async function listGroups(ctx: Context, workspace: Workspace): Promise<Group[]> {
  const actor = await actorIn(ctx, workspace.id);
  if (!actor) return [];
  const everything = actor.role === 'ADMIN' || actor.role === 'WORKFORCE_MANAGER';
  const rows = await queryRows(
    ctx.db,
    `SELECT ${groupColumns()} FROM groups g
      WHERE g.workspace_id = $1
        AND ($2::boolean
             OR EXISTS (SELECT 1 FROM group_members x WHERE x.group_id = g.id AND x.user_id = $3)
             OR EXISTS (SELECT 1 FROM group_managers x WHERE x.group_id = g.id AND x.user_id = $3))
      ORDER BY lower(g.name), g.id`,
    [workspace.id, everything, actor.userId],
  );
  return rows.map((row) => groupFrom(row)!);
}

/** One group of the workspace, when the viewer sees it; null otherwise. */
export async function findGroup(ctx: Context, workspace: Workspace, id: string): Promise<Group | null> {
  if (!isUuid(id)) return null;
  const [facts, actor] = await Promise.all([ctx.access.group(id), actorIn(ctx, workspace.id)]);
  if (!facts || !actor || facts.workspaceId !== workspace.id || !seesGroup(actor, facts)) return null;
  return groupsById(ctx).load(id);
}
