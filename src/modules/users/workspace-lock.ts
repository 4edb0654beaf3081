import type { EntityManager } from 'typeorm';
import { queryOne } from '../../database/sql';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';

/**
 * Serialises the changes that could leave a workspace without an ADMIN (role changes,
 * removals, the operator's remove-admin): each takes the workspace row's lock before it counts
 * ADMINs, so two ADMINs demoting each other at the same moment cannot both succeed.
 * FOR NO KEY UPDATE rather than FOR UPDATE: it conflicts with itself just the same, but not
 * with the KEY SHARE locks that inserts referencing the workspace (audit entries, jobs) take.
 * Answers the workspace's name, or undefined when there is no such workspace.
 */
export async function lockWorkspace(tx: EntityManager, workspaceId: string): Promise<{ name: string } | undefined> {
  return queryOne(tx, `SELECT name FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
}

export interface LockedMembership {
  userId: string;
  email: string;
  role: WorkspaceRole;
  status: InvitationStatus;
}

/** A live (not removed) membership, locked for the rest of the transaction. */
export async function lockMembership(tx: EntityManager, workspaceId: string, userId: string): Promise<LockedMembership | undefined> {
  return queryOne(
    tx,
    `SELECT m.user_id AS "userId", u.email, m.role, m.status
       FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.workspace_id = $1 AND m.user_id = $2 AND m.removed_at IS NULL
        FOR NO KEY UPDATE OF m`,
    [workspaceId, userId],
  );
}

/**
 * JOINED ADMINs other than `userId`. The rule "the last ADMIN keeps the role" counts JOINED
 * ones: an INVITED ADMIN may never accept, and a DECLINED one has said no.
 */
export async function otherJoinedAdmins(tx: EntityManager, workspaceId: string, userId: string): Promise<number> {
  const row = await queryOne<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n FROM memberships
      WHERE workspace_id = $1 AND user_id <> $2 AND role = 'ADMIN' AND status = 'JOINED' AND removed_at IS NULL`,
    [workspaceId, userId],
  );
  return row!.n;
}
