import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * The columns of a WorkspaceUser, from memberships m, users u and workspaces w, each name
 * prefixed (to sit beside other columns in one row).
 */
export function workspaceUserColumns(prefix = ''): string {
  return `u.id AS "${prefix}id", m.workspace_id AS "${prefix}workspaceId", u.email AS "${prefix}email", u.name AS "${prefix}name",
  m.role AS "${prefix}role", m.status AS "${prefix}status", m.invited_at AS "${prefix}invitedAt", m.declined_at AS "${prefix}declinedAt",
  m.joined_at AS "${prefix}joinedAt", m.removed_at AS "${prefix}removedAt",
  (split_part(u.email, '@', 2) = ANY(w.internal_domains)) AS "${prefix}internal"`;
}
export const WORKSPACE_USER_COLUMNS = workspaceUserColumns();

/** The WorkspaceUser in a row read with `workspaceUserColumns(prefix)`; null when its id is null (a LEFT JOIN that found none). */
export function workspaceUserFrom(row: Record<string, any>, prefix = ''): WorkspaceUser | null {
  if (row[`${prefix}id`] == null) return null;
  return {
    id: row[`${prefix}id`],
    workspaceId: row[`${prefix}workspaceId`],
    email: row[`${prefix}email`],
    name: row[`${prefix}name`],
    role: row[`${prefix}role`],
    status: row[`${prefix}status`],
    invitedAt: row[`${prefix}invitedAt`],
    declinedAt: row[`${prefix}declinedAt`],
    joinedAt: row[`${prefix}joinedAt`],
    removedAt: row[`${prefix}removedAt`],
    internal: row[`${prefix}internal`],
  };
}

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
