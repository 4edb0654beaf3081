import type { EntityManager } from 'typeorm';
import { isUuid } from '../../authorization/access';
import { policy } from '../../authorization/policy';
import { ROLES_BY_RESOURCE_TYPE } from '../../authorization/roles';
import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { AppError, badInput, forbidden, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import type { ResourceAssignment } from './assignment.types';
import { resourceColumns, resourceFrom } from './resource.columns';
import type { ResourceRole, ResourceType } from './resource.entity';
import type { AssignUserInput, UnassignUserInput } from './resource.inputs';
import { TYPE_NAME } from './resource.service';
import type { Resource } from './resource.types';
import { actorIn, forgetReads } from './visibility';

/** BAD_USER_INPUT unless the resource type takes the role (a dataset takes ADMIN or USER only). */
export function checkRoleFits(type: ResourceType, role: ResourceRole, field = 'input.role'): void {
  if (!ROLES_BY_RESOURCE_TYPE[type].includes(role)) {
    throw badInput(field, `A ${TYPE_NAME[type].toLowerCase()} takes the roles ${ROLES_BY_RESOURCE_TYPE[type].join(', ')}`, {
      allowed: ROLES_BY_RESOURCE_TYPE[type],
    });
  }
}

/** Ids de-duplicated (case-insensitively), in order. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/**
 * Locks the resources' rows, in id order (so two transactions never wait on each other in a
 * circle), and answers them. Every change that could take a resource's last direct ADMIN away
 * takes this lock first, so counting ADMINs after it is safe under concurrency. FOR NO KEY
 * UPDATE is enough to serialise those writers and, unlike FOR UPDATE, does not block inserts
 * elsewhere that only reference the row (tag links, issues, jobs). NOT_FOUND if one is gone.
 */
export async function lockResources(tx: EntityManager, ids: readonly string[]): Promise<Resource[]> {
  const rows = await queryRows(tx, `SELECT ${resourceColumns()} FROM resources r WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR NO KEY UPDATE`, [ids]);
  if (rows.length !== ids.length) throw notFound('resource');
  return rows.map((row) => resourceFrom(row));
}

/** INVARIANT when one of the (locked) resources has no direct ADMIN left: the transaction then rolls back. */
export async function assertDirectAdmins(tx: EntityManager, resourceIds: readonly string[]): Promise<void> {
  const orphans = await queryRows<{ id: string; type: ResourceType; name: string }>(
    tx,
    `SELECT r.id, r.type, r.name FROM resources r
      WHERE r.id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM resource_user_roles ur WHERE ur.resource_id = r.id AND ur.role = 'ADMIN')
      ORDER BY r.id`,
    [resourceIds],
  );
  if (orphans.length > 0) {
    throw new AppError('INVARIANT', 'Every resource keeps at least one direct ADMIN', { resources: orphans });
  }
}

/** NOT_FOUND unless the person is a (non-removed) member of the workspace, in any status. */
async function assertWorkspaceMember(db: Pick<EntityManager, 'query'>, workspaceId: string, userId: unknown): Promise<string> {
  if (!isUuid(userId)) throw notFound('user');
  const row = await queryOne(db, `SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2 AND removed_at IS NULL`, [workspaceId, userId]);
  if (!row) throw notFound('user');
  return userId;
}

/** What the rule needs about the viewer, loaded BEFORE the transaction (inside it, only `tx` may query). */
async function viewerFacts(ctx: Context, workspaceId: string, resourceIds: string[]) {
  const [actor, facts] = await Promise.all([actorIn(ctx, workspaceId), Promise.all(resourceIds.map((id) => ctx.access.resource(id)))]);
  if (!actor || facts.some((f) => !f)) throw notFound('resource');
  return { actor, facts: facts as NonNullable<(typeof facts)[number]>[] };
}

/**
 * The rule again, inside the transaction, against the person's roles as they are under the
 * lock: a TEAM_MANAGER may not change or remove a role that became ADMIN meanwhile.
 */
function recheck(
  rule: 'assignUser' | 'unassignUser',
  workspaceId: string,
  viewer: Awaited<ReturnType<typeof viewerFacts>>,
  current: Map<string, ResourceRole>,
  args: Record<string, any>,
): void {
  const verdict = policy[rule].allow(viewer.actor, { workspaceId, resources: viewer.facts, subjectRoles: current }, args);
  if (verdict === 'hidden') throw notFound('resource');
  if (verdict !== true) throw forbidden();
}

async function directRoles(tx: EntityManager, userId: string, resourceIds: string[]): Promise<Map<string, ResourceRole>> {
  const rows = await queryRows<{ resourceId: string; role: ResourceRole }>(
    tx,
    `SELECT resource_id AS "resourceId", role FROM resource_user_roles WHERE user_id = $1 AND resource_id = ANY($2::uuid[])`,
    [userId, resourceIds],
  );
  return new Map(rows.map((r) => [r.resourceId, r.role]));
}

/**
 * One role on up to 100 resources of one type, all or nothing (the rule assignUser has checked
 * the viewer). Assigning again changes the role; demoting the last direct ADMIN is INVARIANT.
 */
export async function assignUser(ctx: Context, input: AssignUserInput): Promise<ResourceAssignment[]> {
  checkRoleFits(input.resourceType, input.role);
  const ids = uniqueIds(input.resourceIds);
  const userId = await assertWorkspaceMember(ctx.db, input.workspaceId, input.userId);
  const actorId = ctx.viewer!.userId;
  const viewer = await viewerFacts(ctx, input.workspaceId, ids);
  const resources = await ctx.db.transaction(async (tx) => {
    const locked = await lockResources(tx, ids);
    const before = await directRoles(tx, userId, ids);
    recheck('assignUser', input.workspaceId, viewer, before, { input });
    await tx.query(
      `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
       SELECT id, $2, $3, $4 FROM unnest($1::uuid[]) AS id
       ON CONFLICT (resource_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [ids, userId, input.workspaceId, input.role],
    );
    const demoted = ids.filter((id) => before.get(id) === 'ADMIN' && input.role !== 'ADMIN');
    if (demoted.length > 0) await assertDirectAdmins(tx, demoted);
    const changed = locked.filter((r) => before.get(r.id) !== input.role);
    await audit(
      tx,
      ...changed.map((r) => ({
        workspaceId: input.workspaceId,
        actorId,
        action: 'assignUser',
        targetType: TYPE_NAME[r.type],
        targetId: r.id,
        details: { userId, from: before.get(r.id) ?? null, to: input.role },
      })),
    );
    return locked;
  });
  forgetReads(ctx);
  const byId = new Map(resources.map((r) => [r.id, r]));
  return ids.map((id) => ({ resource: byId.get(id)!, role: input.role, via: null }));
}

/**
 * Takes a person's direct role on one resource away (roles through groups stay). True when
 * there was one to take; taking the last direct ADMIN away is INVARIANT.
 */
export async function unassignUser(ctx: Context, input: UnassignUserInput): Promise<boolean> {
  const resourceId = input.resourceId.toLowerCase();
  const userId = await assertWorkspaceMember(ctx.db, input.workspaceId, input.userId);
  const actorId = ctx.viewer!.userId;
  const viewer = await viewerFacts(ctx, input.workspaceId, [resourceId]);
  const removed = await ctx.db.transaction(async (tx) => {
    const [resource] = await lockResources(tx, [resourceId]);
    const before = await directRoles(tx, userId, [resourceId]);
    recheck('unassignUser', input.workspaceId, viewer, before, { input });
    const role = before.get(resourceId);
    if (!role) return false;
    await tx.query(`DELETE FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [resourceId, userId]);
    if (role === 'ADMIN') await assertDirectAdmins(tx, [resourceId]);
    await audit(tx, {
      workspaceId: input.workspaceId,
      actorId,
      action: 'unassignUser',
      targetType: TYPE_NAME[resource.type],
      targetId: resourceId,
      details: { userId, from: role, to: null },
    });
    return true;
  });
  forgetReads(ctx);
  return removed;
}
