import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import type { WorkspaceUser } from './workspace-user.types';

/** The columns of a WorkspaceUser, from memberships m, users u and workspaces w. */
export const WORKSPACE_USER_COLUMNS = `u.id, m.workspace_id AS "workspaceId", u.email, u.name, m.role, m.status,
  m.invited_at AS "invitedAt", m.declined_at AS "declinedAt", m.joined_at AS "joinedAt", m.removed_at AS "removedAt",
  (split_part(u.email, '@', 2) = ANY(w.internal_domains)) AS internal`;

export const WORKSPACE_USER_FROM = `memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id`;

const key = (workspaceId: string, userId: string) => `${workspaceId}:${userId}`;

/**
 * People by (workspace, user), removed ones included: history (jobs, audit entries) still
 * names them. One query per batch.
 */
export function workspaceUsers(ctx: Context): DataLoader<{ workspaceId: string; userId: string }, WorkspaceUser | null, string> {
  return loader(ctx, makeWorkspaceUserLoader);
}

function makeWorkspaceUserLoader(ctx: Context) {
  return new DataLoader<{ workspaceId: string; userId: string }, WorkspaceUser | null, string>(
    async (keys) => {
      const rows = await queryRows<WorkspaceUser>(
        ctx.db,
        `SELECT ${WORKSPACE_USER_COLUMNS} FROM ${WORKSPACE_USER_FROM}
          WHERE (m.workspace_id, m.user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
        [keys.map((k) => k.workspaceId), keys.map((k) => k.userId)],
      );
      const byKey = new Map(rows.map((r) => [key(r.workspaceId, r.id), r]));
      return keys.map((k) => byKey.get(key(k.workspaceId, k.userId)) ?? null);
    },
    { cacheKeyFn: (k) => key(k.workspaceId, k.userId) },
  );
}
