import DataLoader from 'dataloader';
import { loader, type Context } from '../../server/context';
import type { IssueTag } from '../tags/tag.types';
import type { IssueStatus } from './issue.entity';
import type { ProjectIssue } from './issue.types';
import { issuesOfProjects, tagsOfIssues } from './issues.data';

/** A filter in the form the query takes: tag ids are UUIDs (the caller drops the rest), de-duplicated. */
export interface IssueQuery {
  tagIds: string[];
  status: IssueStatus | null;
  /** The most issues of each project. */
  limit: number;
}

/**
 * A project's issues, newest first, by project id. Every project of one list is asked with the
 * same filter (the field's arguments), so one loader per distinct filter batches them all.
 */
export function issuesOfProject(ctx: Context, query: IssueQuery): DataLoader<string, ProjectIssue[]> {
  const byFilter = loader(ctx, makeIssueLoaders);
  const key = JSON.stringify([query.status, [...query.tagIds].sort(), query.limit]);
  let instance = byFilter.get(key);
  if (!instance) {
    instance = new DataLoader<string, ProjectIssue[]>((ids) => issuesOfProjects(ctx.db, ids, query));
    byFilter.set(key, instance);
  }
  return instance;
}

/** The request's issue loaders, one per filter (a module-level factory: loader() keys on it). */
function makeIssueLoaders(): Map<string, DataLoader<string, ProjectIssue[]>> {
  return new Map();
}

/** The tags an issue carries, by issue id. */
export function tagsOfIssue(ctx: Context): DataLoader<string, IssueTag[]> {
  return loader(ctx, makeTagsOfIssue);
}
function makeTagsOfIssue(ctx: Context) {
  return new DataLoader<string, IssueTag[]>((ids) => tagsOfIssues(ctx.db, ids));
}
