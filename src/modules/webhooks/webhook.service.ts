import { randomBytes, randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { loader, type Context } from '../../server/context';
import { badInput, notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { eventCursor } from '../../events/job-event-log';
import { runMutation } from '../common/mutation';
import { decodeCursor, encodeCursor, pageSize } from '../common/pagination';
import { refusalOf } from './webhook-address';
import { deleteWebhookRow, deliveryPages, insertWebhook, webhookCount, webhooksOf, type DeliveryRow } from './webhooks.data';
import type { CreatedWebhook, CreateWebhookInput, Webhook, WebhookDelivery, WebhookDeliveryConnection } from './webhook.types';

/** `whsec_` and 32 random bytes: the key of the HMAC that signs each body (kept, since it signs; shown once). */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * createWebhook: ADMINs (the rule). The URL is checked where it points before anything is
 * written (and again at every send: webhook-address.ts); the webhook takes the events
 * committed after it.
 */
export async function createWebhook(ctx: Context, input: CreateWebhookInput): Promise<CreatedWebhook> {
  const { workspaceId, url } = input;
  const refusal = await refusalOf(url, ctx.services.config.webhooks.allowPrivate);
  if (refusal) throw badInput('input.url', `input.url ${refusal}`);
  const statuses = [...new Set(input.statuses ?? [])];
  const types = [...new Set(input.types ?? [])];
  const secret = newWebhookSecret();
  return runMutation(ctx, {
    rule: 'createWebhook',
    args: { input },
    workspaceId,
    what: 'workspace',
    change: async (tx) => {
      const webhook = await insertWebhook(tx, { id: randomUUID(), workspaceId, url, secret, statuses, types, createdBy: ctx.viewer!.userId });
      if ((await webhookCount(tx, workspaceId)) > CAPS.webhooks) throw capExceeded('webhooks', 'The workspace would have more webhooks than it may; delete one first');
      return {
        result: { secret, webhook },
        audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'createWebhook', targetType: 'Webhook', targetId: webhook.id, details: { url, statuses, types } }],
        afterCommit: () => ctx.services.webhooks.madeIn(workspaceId),
      };
    },
  });
}

/** deleteWebhook: ADMINs. Its deliveries go with it: nothing more is sent (an attempt in flight ends unrecorded). */
export async function deleteWebhook(ctx: Context, id: string): Promise<boolean> {
  const found = await ctx.access.webhook(id);
  if (!found) throw notFound('webhook');
  return runMutation(ctx, {
    rule: 'deleteWebhook',
    args: { id },
    workspaceId: found.workspaceId,
    what: 'webhook',
    change: async (tx) => {
      const deleted = await deleteWebhookRow(tx, id);
      if (!deleted) throw notFound('webhook');
      return { result: true, audit: [{ workspaceId: deleted.workspaceId, actorId: ctx.viewer!.userId, action: 'deleteWebhook', targetType: 'Webhook', targetId: id, details: { url: deleted.url } }] };
    },
  });
}

/** Workspace.webhooks (the rule seeWebhooks: ADMINs), newest first. */
export function workspaceWebhooks(ctx: Context, workspaceId: string): Promise<Webhook[]> {
  return webhooksOf(ctx.db, workspaceId);
}

/**
 * Webhook.deliveries, newest first; cursors carry the event's seq. Batched: the webhooks of
 * one list asking for the same page cost one statement together.
 */
export function webhookDeliveries(ctx: Context, webhook: Webhook, first: number | null | undefined, after: string | null | undefined): Promise<WebhookDeliveryConnection> {
  const limit = pageSize(first, 20);
  const cursor = decodeCursor(after, 1);
  const before = cursor ? Number(cursor[0]) : null;
  if (cursor && (!Number.isSafeInteger(before) || before! < 1)) throw badInput('after', 'after is not a valid cursor');
  return pagesLoader(ctx, limit, before).load(webhook.id).then((rows) => {
    const nodes = rows.slice(0, limit).map((row) => asDelivery(webhook.workspaceId, row));
    const last = rows[Math.min(rows.length, limit) - 1];
    return { nodes, pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor([Number(last.seq)]) : null } };
  });
}

const pageLoaders = () => new Map<string, DataLoader<string, DeliveryRow[]>>();

function pagesLoader(ctx: Context, limit: number, before: number | null): DataLoader<string, DeliveryRow[]> {
  const loaders = loader(ctx, pageLoaders);
  const key = `${limit}:${before}`;
  let found = loaders.get(key);
  if (!found) {
    found = new DataLoader(async (ids: readonly string[]) => {
      const rows = await deliveryPages(ctx.db, ids, before, limit + 1);
      return ids.map((id) => rows.filter((r) => r.webhookId === id));
    });
    loaders.set(key, found);
  }
  return found;
}

function asDelivery(workspaceId: string, row: DeliveryRow): WebhookDelivery {
  return {
    id: String(row.id),
    eventCursor: eventCursor({ workspaceId, seq: Number(row.seq) }),
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt,
    deliveredAt: row.deliveredAt,
  };
}
