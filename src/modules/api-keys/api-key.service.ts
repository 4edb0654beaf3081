import { randomBytes, randomUUID } from 'node:crypto';
import { API_KEY_PREFIX, hashApiKey } from '../../server/authentication';
import type { Context } from '../../server/context';
import { notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { runMutation } from '../common/mutation';
import { listScope, type Visibility } from '../../authorization/lists';
import { insertKey, liveKeyCount, liveKeysOf, revokeKey } from './api-keys.data';
import type { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.types';

/** `wsk_` and 32 random bytes (base64url): 256 bits, so a SHA-256 hash (no salt, no slow KDF) stores it safely. */
export function newApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * createApiKey: any JOINED member, for themselves in this workspace, with the scopes given
 * (FULL unless said) until `expiresAt` (if given). The secret is answered once and kept only as
 * a hash. No API key may make another (the rule's `key: 'never'`).
 */
export async function createApiKey(ctx: Context, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const viewer = ctx.viewer!;
  const { workspaceId, name } = input;
  const scopes = input.scopes ?? ['FULL'];
  const expiresAt = input.expiresAt ?? null;
  const secret = newApiKeySecret();
  return runMutation(ctx, {
    rule: 'ownApiKeys',
    args: { input },
    workspaceId,
    what: 'workspace',
    change: async (tx) => {
      const apiKey = await insertKey(tx, { id: randomUUID(), workspaceId, userId: viewer.userId, name, secretHash: hashApiKey(secret), scopes, expiresAt });
      if ((await liveKeyCount(tx, workspaceId, viewer.userId)) > CAPS.apiKeys) throw capExceeded('apiKeys', 'You would have more live API keys here than a person may; revoke one first');
      return { result: { key: secret, apiKey }, audit: [{ workspaceId, actorId: viewer.userId, action: 'createApiKey', targetType: 'ApiKey', targetId: apiKey.id, details: { name, scopes, expiresAt } }] };
    },
  });
}

/** revokeApiKey: the key's maker (the rule). It stops working at once, and its open sockets close. */
export async function revokeApiKey(ctx: Context, id: string): Promise<boolean> {
  const key = await ctx.access.apiKey(id);
  if (!key) throw notFound('API key');
  return runMutation(ctx, {
    rule: 'revokeApiKey',
    args: { id },
    workspaceId: key.workspaceId,
    what: 'API key',
    change: async (tx) => {
      const revoked = await revokeKey(tx, id);
      if (!revoked) throw notFound('API key');
      return {
        result: true,
        audit: [{ workspaceId: revoked.workspaceId, actorId: ctx.viewer!.userId, action: 'revokeApiKey', targetType: 'ApiKey', targetId: id, details: { name: revoked.name } }],
        afterCommit: () => ctx.services.connections.revoke({ apiKeyId: id }),
      };
    },
  });
}

/** Workspace.apiKeys: the keys the rule seeOwnApiKeys and its scope let the viewer see (their own), newest first. */
export async function viewerApiKeys(ctx: Context, workspaceId: string): Promise<ApiKey[]> {
  const actor = await ctx.access.actor(workspaceId);
  return actor ? liveKeysOf(ctx.db, workspaceId, listScope('seeOwnApiKeys', actor) as Visibility<'apiKey'>) : [];
}
