import DataLoader from 'dataloader';
import { loader, type Context } from '../../server/context';
import type { ApiKey } from './api-key.types';
import { keysByIds } from './api-keys.data';

/** API keys by id, one query per batch; who may see which is the caller's to decide (Job.apiKey). */
export function apiKeysById(ctx: Context): DataLoader<string, ApiKey | null> {
  return loader(ctx, makeApiKeysById);
}
function makeApiKeysById(ctx: Context) {
  return new DataLoader<string, ApiKey | null>(async (ids) => {
    const byId = new Map((await keysByIds(ctx.db, ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
