import { visibleSql, type Visibility } from '../../authorization/lists';
import { columnsOf } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { ApiKeyEntity, type ApiKeyScope } from './api-key.entity';
import type { ApiKey } from './api-key.types';
import type { WorkspaceRole } from '../users/membership.entity';

/** The SQL of the API keys module. Only a SHA-256 hash of a key's secret is kept. */

const COLUMNS = columnsOf(ApiKeyEntity, 'k', { only: ['id', 'name', 'scopes', 'createdAt', 'lastUsedAt', 'expiresAt'] });

/** A key that works: not revoked, not expired. */
export const liveKey = (alias: string) => `${alias}.revoked_at IS NULL AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > now())`;

/** The keys of a workspace the list holds (scopes.apiKey: their maker's), newest first: expired ones too, until revoked. */
export function liveKeysOf(db: Queryable, workspaceId: string, visible: Visibility<'apiKey'>): Promise<ApiKey[]> {
  const params: unknown[] = [workspaceId];
  return queryRows<ApiKey>(
    db,
    `SELECT ${COLUMNS} FROM api_keys k WHERE k.workspace_id = $1 AND k.revoked_at IS NULL AND ${visibleSql(visible, 'k', params)} ORDER BY k.created_at DESC, k.id`,
    params,
  );
}

export async function insertKey(
  tx: Queryable,
  key: { id: string; workspaceId: string; userId: string; name: string; secretHash: string; scopes: readonly ApiKeyScope[]; expiresAt: Date | null },
): Promise<ApiKey> {
  const row = await queryOne<ApiKey>(
    tx,
    `INSERT INTO api_keys AS k (id, workspace_id, user_id, name, secret_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [key.id, key.workspaceId, key.userId, key.name, key.secretHash, key.scopes, key.expiresAt],
  );
  return row!;
}

/** Revokes one live key; answers its workspace and name, or undefined when there was none to revoke. */
export function revokeKey(tx: Queryable, id: string): Promise<{ workspaceId: string; name: string } | undefined> {
  return queryOne(tx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING workspace_id AS "workspaceId", name`, [id]);
}

/** Revokes every live key of a person in a workspace (they are leaving it); answers their ids. */
export async function revokeKeysOf(tx: Queryable, workspaceId: string, userId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    `UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
    [workspaceId, userId],
  );
  return rows.map((r) => r.id);
}

/**
 * The unrevoked key of a secret's hash (expired or not: the caller says which), with its maker,
 * who must still be a JOINED member of its workspace, and that membership and workspace as the
 * rules read them (the request then needs no other read to know them).
 */
export function keyBySecretHash(db: Queryable, hash: string) {
  return queryOne<{
    id: string;
    workspaceId: string;
    scopes: ApiKeyScope[];
    expiresAt: Date | null;
    lastUsedAt: Date | null;
    userId: string;
    email: string;
    name: string | null;
    role: WorkspaceRole;
    workspaceName: string;
    internalDomains: string[];
    workspaceCreatedAt: Date;
  }>(
    db,
    `SELECT k.id, k.workspace_id AS "workspaceId", k.scopes, k.expires_at AS "expiresAt", k.last_used_at AS "lastUsedAt", u.id AS "userId", u.email, u.name,
            m.role, w.name AS "workspaceName", w.internal_domains AS "internalDomains", w.created_at AS "workspaceCreatedAt"
       FROM api_keys k
       JOIN users u ON u.id = k.user_id
       JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.user_id
       JOIN workspaces w ON w.id = k.workspace_id
      WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND m.status = 'JOINED'`,
    [hash],
  );
}

export async function touchKey(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
}

/** Which of these keys still work (neither revoked nor expired). */
export async function liveKeys(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(db, `SELECT id FROM api_keys k WHERE k.id = ANY($1::uuid[]) AND ${liveKey('k')}`, [ids]);
  return new Set(rows.map((k) => k.id));
}

/** How many live keys a person has in a workspace (a cap, server/limits/caps.ts). */
export async function liveKeyCount(tx: Queryable, workspaceId: string, userId: string): Promise<number> {
  return (await queryOne<{ n: number }>(tx, `SELECT count(*)::int AS n FROM api_keys WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [workspaceId, userId]))!.n;
}

/** Keys by id, revoked ones too (Job.apiKey names the key that started a job, whatever became of it). */
export function keysByIds(db: Queryable, ids: readonly string[]): Promise<Array<ApiKey & { id: string }>> {
  return queryRows(db, `SELECT ${COLUMNS} FROM api_keys k WHERE k.id = ANY($1::uuid[])`, [ids]);
}
