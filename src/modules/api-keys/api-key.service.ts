import { randomBytes, randomUUID } from 'node:crypto';
import { queryOne, queryRows } from '../../database/sql';
import { API_KEY_PREFIX, hashApiKey } from '../../server/authentication';
import type { Context } from '../../server/context';
import { forbidden, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { cleanName } from '../common/validation';
import type { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.types';

const COLUMNS = `id, name, created_at AS "createdAt", last_used_at AS "lastUsedAt"`;

/** `wsk_` and 32 random bytes (base64url): 256 bits, so a SHA-256 hash (no salt, no slow KDF) stores it safely. */
export function newApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * createApiKey: any JOINED member, for themselves in this workspace. The secret is answered
 * once and kept only as a hash. A request made with an API key may not make another: a
 * leaked key must not be able to outlive its own revocation.
 */
export async function createApiKey(ctx: Context, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const viewer = ctx.viewer!;
  if (viewer.apiKey) throw forbidden('Sign in to create an API key: an API key cannot make another');
  const name = cleanName(input.name, 'input.name', 100);
  const secret = newApiKeySecret();
  const id = randomUUID();
  const apiKey = await ctx.db.transaction(async (tx) => {
    const row = await queryOne<ApiKey>(
      tx,
      `INSERT INTO api_keys (id, workspace_id, user_id, name, secret_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [id, input.workspaceId, viewer.userId, name, hashApiKey(secret)],
    );
    await audit(tx, { workspaceId: input.workspaceId, actorId: viewer.userId, action: 'createApiKey', targetType: 'ApiKey', targetId: id, details: { name } });
    return row!;
  });
  return { key: secret, apiKey };
}

/** revokeApiKey: the key's maker (the rule found the key live and theirs). It stops working at once. */
export async function revokeApiKey(ctx: Context, id: string): Promise<boolean> {
  const viewer = ctx.viewer!;
  await ctx.db.transaction(async (tx) => {
    const row = await queryOne<{ workspaceId: string; name: string }>(
      tx,
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
       RETURNING workspace_id AS "workspaceId", name`,
      [id, viewer.userId],
    );
    if (!row) throw notFound('API key');
    await audit(tx, { workspaceId: row.workspaceId, actorId: viewer.userId, action: 'revokeApiKey', targetType: 'ApiKey', targetId: id, details: { name: row.name } });
  });
  return true;
}

/** The viewer's own live keys in a workspace, newest first. */
export function viewerApiKeys(ctx: Context, workspaceId: string): Promise<ApiKey[]> {
  return queryRows<ApiKey>(
    ctx.db,
    `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY created_at DESC, id`,
    [workspaceId, ctx.viewer!.userId],
  );
}
