import { columnsOf } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import type { WorkspaceRole } from '../users/membership.entity';
import { WorkspaceEntity } from './workspace.entity';

/** The SQL of the workspaces module. */

export interface WorkspaceRow {
  id: string;
  name: string;
  internalDomains: string[];
  createdAt: Date;
}

const COLUMNS = columnsOf(WorkspaceEntity, 'w', { only: ['id', 'name', 'internalDomains', 'createdAt'] });

/** The workspaces a person has JOINED, with their role in each; `only` narrows to one (an API key's). */
export function joinedWorkspaces(db: Queryable, userId: string, only: string | null, limit: number): Promise<Array<WorkspaceRow & { role: WorkspaceRole }>> {
  return queryRows(
    db,
    `SELECT ${COLUMNS}, m.role
       FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.user_id = $1 AND m.status = 'JOINED' AND ($2::uuid IS NULL OR w.id = $2::uuid)
      ORDER BY w.name, w.id
      LIMIT $3`,
    [userId, only, limit],
  );
}

export async function workspaceName(db: Queryable, id: string): Promise<string | undefined> {
  return (await queryOne<{ name: string }>(db, `SELECT name FROM workspaces WHERE id = $1`, [id]))?.name;
}

export async function insertWorkspace(tx: Queryable, w: { id: string; name: string; internalDomains: string[] }): Promise<WorkspaceRow> {
  const row = await queryOne<WorkspaceRow>(tx, `INSERT INTO workspaces AS w (id, name, internal_domains) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [
    w.id,
    w.name,
    w.internalDomains,
  ]);
  return row!;
}

/** The workspace's row, locked FOR UPDATE: its internal domains are about to change (group managers are checked against them). */
export function lockWorkspace(tx: Queryable, id: string): Promise<WorkspaceRow | undefined> {
  return queryOne<WorkspaceRow>(tx, `SELECT ${COLUMNS} FROM workspaces w WHERE w.id = $1 FOR UPDATE`, [id]);
}

export async function updateWorkspaceRow(tx: Queryable, id: string, change: { name: string | null; internalDomains: string[] | null }): Promise<WorkspaceRow> {
  const row = await queryOne<WorkspaceRow>(
    tx,
    `UPDATE workspaces AS w SET name = COALESCE($2, name), internal_domains = COALESCE($3, internal_domains) WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, change.name, change.internalDomains],
  );
  return row!;
}

/** How many workspaces a person has joined (a cap, server/limits/caps.ts). */
export async function joinedCount(tx: Queryable, userId: string): Promise<number> {
  return (await queryOne<{ n: number }>(tx, `SELECT count(*)::int AS n FROM memberships WHERE user_id = $1 AND status = 'JOINED'`, [userId]))!.n;
}
