import type { EntityManager } from 'typeorm';
import { isUuid } from '../../authorization/access';
import { queryOne, queryRows } from '../../database/sql';
import { AppError, badInput } from '../../server/errors';
import { audit } from '../audit/audit';
import type { ResourceRole, ResourceType } from '../resources/resource.entity';
import type { Resource } from '../resources/resource.types';
import type { LockedMembership } from './workspace-lock';

export interface Removal {
  workspaceId: string;
  /** The person removed, locked by the caller (who has checked that this removal is allowed). */
  target: LockedMembership;
  replacementUserId?: string | null;
  /** null for the operator's command-line tool. */
  actorId: string | null;
  /** Where the request came from, kept in the audit entry. */
  via: 'api' | 'cli';
}

const TARGET_TYPE: Record<ResourceType, string> = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' };

/**
 * Removes a person from a workspace, in the caller's transaction (which holds the workspace
 * lock): the resources of which they are the sole direct ADMIN pass to the replacement
 * (REPLACEMENT_REQUIRED without one); they leave every group, as member and as manager, and
 * every resource; their API keys are revoked (for good: being invited again does not revive
 * them); the membership row stays with removed_at set, so history still names them.
 * Answers the resources that passed to the replacement.
 */
export async function removeMembership(tx: EntityManager, removal: Removal): Promise<Resource[]> {
  const { workspaceId, target, actorId } = removal;
  const userId = target.userId;

  // Lock the resources this person is a direct ADMIN of before counting their other ADMINs,
  // so that no concurrent unassignment can leave one of them without an ADMIN.
  await tx.query(
    `SELECT r.id FROM resources r JOIN resource_user_roles ur ON ur.resource_id = r.id
      WHERE ur.workspace_id = $1 AND ur.user_id = $2 AND ur.role = 'ADMIN'
      ORDER BY r.id FOR NO KEY UPDATE OF r`,
    [workspaceId, userId],
  );
  const sole = await queryRows<Resource>(
    tx,
    `SELECT r.id, r.type, r.name, r.description, r.created_at AS "createdAt", r.workspace_id AS "workspaceId"
       FROM resources r JOIN resource_user_roles ur ON ur.resource_id = r.id
      WHERE ur.workspace_id = $1 AND ur.user_id = $2 AND ur.role = 'ADMIN'
        AND NOT EXISTS (SELECT 1 FROM resource_user_roles o WHERE o.resource_id = r.id AND o.role = 'ADMIN' AND o.user_id <> $2)
      ORDER BY r.type, lower(r.name), r.id`,
    [workspaceId, userId],
  );

  const replacementId = await checkReplacement(tx, workspaceId, userId, removal.replacementUserId);
  if (sole.length > 0 && !replacementId) {
    throw new AppError(
      'REPLACEMENT_REQUIRED',
      `${target.email} is the sole ADMIN of ${sole.length} resource${sole.length === 1 ? '' : 's'}: name a replacementUserId to take them over`,
      { resources: sole.map((r) => ({ type: r.type, id: r.id, name: r.name })) },
    );
  }

  if (sole.length > 0 && replacementId) {
    const before = await queryRows<{ resourceId: string; role: ResourceRole }>(
      tx,
      `SELECT resource_id AS "resourceId", role FROM resource_user_roles WHERE user_id = $1 AND resource_id = ANY($2::uuid[])`,
      [replacementId, sole.map((r) => r.id)],
    );
    const previous = new Map(before.map((b) => [b.resourceId, b.role]));
    await tx.query(
      `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
       SELECT id, $2, $3, 'ADMIN' FROM unnest($1::uuid[]) AS id
       ON CONFLICT (resource_id, user_id) DO UPDATE SET role = 'ADMIN'`,
      [sole.map((r) => r.id), replacementId, workspaceId],
    );
    await audit(
      tx,
      ...sole.map((r) => ({
        workspaceId,
        actorId,
        action: 'removeUser',
        targetType: TARGET_TYPE[r.type],
        targetId: r.id,
        details: { userId: replacementId, from: previous.get(r.id) ?? null, to: 'ADMIN', replacing: userId },
      })),
    );
  }

  const memberOf = await queryRows<{ groupId: string }>(
    tx,
    `DELETE FROM group_members gm USING groups g WHERE g.id = gm.group_id AND g.workspace_id = $1 AND gm.user_id = $2 RETURNING gm.group_id AS "groupId"`,
    [workspaceId, userId],
  );
  const managerOf = await queryRows<{ groupId: string }>(
    tx,
    `DELETE FROM group_managers gm USING groups g WHERE g.id = gm.group_id AND g.workspace_id = $1 AND gm.user_id = $2 RETURNING gm.group_id AS "groupId"`,
    [workspaceId, userId],
  );
  const assignments = await queryRows<{ resourceId: string; role: ResourceRole }>(
    tx,
    `DELETE FROM resource_user_roles WHERE workspace_id = $1 AND user_id = $2 RETURNING resource_id AS "resourceId", role`,
    [workspaceId, userId],
  );
  const keys = await queryRows<{ id: string }>(
    tx,
    `UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
    [workspaceId, userId],
  );
  await tx.query(`UPDATE memberships SET removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]);
  await audit(tx, {
    workspaceId,
    actorId,
    action: 'removeUser',
    targetType: 'WorkspaceUser',
    targetId: userId,
    details: {
      email: target.email,
      role: target.role,
      status: target.status,
      via: removal.via,
      groups: memberOf.map((g) => g.groupId),
      managerOf: managerOf.map((g) => g.groupId),
      assignments,
      apiKeysRevoked: keys.map((k) => k.id),
      replacementUserId: sole.length > 0 ? replacementId : null,
      reassigned: sole.map((r) => r.id),
    },
  });
  return sole;
}

/** The replacement, when one is named: a JOINED or INVITED person of the workspace, not the one removed. */
async function checkReplacement(tx: EntityManager, workspaceId: string, userId: string, replacementUserId: string | null | undefined): Promise<string | null> {
  if (replacementUserId === undefined || replacementUserId === null) return null;
  const field = 'input.replacementUserId';
  if (!isUuid(replacementUserId)) throw badInput(field, 'No such user in this workspace');
  if (replacementUserId === userId) throw badInput(field, 'The replacement cannot be the person removed');
  const row = await queryOne<{ status: string }>(
    tx,
    `SELECT status FROM memberships WHERE workspace_id = $1 AND user_id = $2 AND removed_at IS NULL FOR SHARE`,
    [workspaceId, replacementUserId],
  );
  if (!row) throw badInput(field, 'No such user in this workspace');
  if (row.status === 'DECLINED') throw badInput(field, 'The replacement has declined the invitation; choose a JOINED or INVITED user');
  return replacementUserId;
}
