import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import type { Job, StorageFolder } from './job.types';

/** The columns of a Job from `jobs j`. */
export const JOB_COLUMNS = `j.id, j.workspace_id AS "workspaceId", j.type, j.status, j.progress, j.user_id AS "userId",
  j.project_id AS "projectId", j.dataset_id AS "datasetId", j.folder_id AS "folderId",
  j.error_message AS "errorMessage", j.error_details AS "errorDetails", j.retry_of AS "retryOfId",
  j.created_at AS "createdAt", j.updated_at AS "updatedAt", j.finished_at AS "finishedAt"`;

/** The Job in a row read with JOB_COLUMNS (and nothing else the row may carry). */
export function jobFrom(row: Record<string, any>): Job {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    type: row.type,
    status: row.status,
    progress: row.progress,
    userId: row.userId,
    projectId: row.projectId,
    datasetId: row.datasetId,
    folderId: row.folderId,
    errorMessage: row.errorMessage,
    errorDetails: row.errorDetails,
    retryOfId: row.retryOfId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

/** Jobs by id, one query per batch; visibility is the caller's business. */
export function jobsById(ctx: Context): DataLoader<string, Job | null> {
  return loader(ctx, makeJobsById);
}
function makeJobsById(ctx: Context) {
  return new DataLoader<string, Job | null>(async (ids) => {
    const rows = await queryRows<Job>(ctx.db, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Storage folders by id. */
export function foldersById(ctx: Context): DataLoader<string, StorageFolder | null> {
  return loader(ctx, makeFoldersById);
}
function makeFoldersById(ctx: Context) {
  return new DataLoader<string, StorageFolder | null>(async (ids) => {
    const rows = await queryRows<StorageFolder>(
      ctx.db,
      `SELECT f.id, f.name, f.workspace_id AS "workspaceId" FROM storage_folders f WHERE f.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
