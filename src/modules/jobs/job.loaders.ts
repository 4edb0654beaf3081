import DataLoader from 'dataloader';
import { loader, type Context } from '../../server/context';
import type { Job, StorageFolder } from './job.types';
import { foldersByIds, jobsByIds } from './jobs.data';

/** Jobs by id, one query per batch; visibility is the caller's (scopes.job). */
export function jobsById(ctx: Context): DataLoader<string, Job | null> {
  return loader(ctx, makeJobsById);
}
function makeJobsById(ctx: Context) {
  return new DataLoader<string, Job | null>(async (ids) => {
    const byId = new Map((await jobsByIds(ctx.db, ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Storage folders by id. */
export function foldersById(ctx: Context): DataLoader<string, StorageFolder | null> {
  return loader(ctx, makeFoldersById);
}
function makeFoldersById(ctx: Context) {
  return new DataLoader<string, StorageFolder | null>(async (ids) => {
    const byId = new Map((await foldersByIds(ctx.db, ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
