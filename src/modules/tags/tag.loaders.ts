import DataLoader from 'dataloader';
import { loader, type Context } from '../../server/context';
import type { IssueTag, ProjectTag } from './tag.types';
import { issueTagsOfProjects, issueTagsOfWorkspaces, projectTagsOfProjects, projectTagsOfWorkspaces } from './tags.data';

/** Per-request, batched readers of tags: one statement per batch. Who may see them is the rules' (policy.ts). */

const batched = <T>(load: (ctx: Context, ids: readonly string[]) => Promise<T[][]>) => (ctx: Context) => new DataLoader<string, T[]>((ids) => load(ctx, ids));

const makeProjectTagsOfWorkspace = batched<ProjectTag>((ctx, ids) => projectTagsOfWorkspaces(ctx.db, ids));
const makeProjectTagsOfProject = batched<ProjectTag>((ctx, ids) => projectTagsOfProjects(ctx.db, ids));
const makeIssueTagsOfWorkspace = batched<IssueTag>((ctx, ids) => issueTagsOfWorkspaces(ctx.db, ids));
const makeIssueTagsOfProject = batched<IssueTag>((ctx, ids) => issueTagsOfProjects(ctx.db, ids));

/** A workspace's project tags, by workspace id. */
export const projectTagsOfWorkspace = (ctx: Context) => loader(ctx, makeProjectTagsOfWorkspace);
/** The project tags set on a project, by project id. */
export const projectTagsOfProject = (ctx: Context) => loader(ctx, makeProjectTagsOfProject);
/** A workspace's workspace-level issue tags, by workspace id. */
export const issueTagsOfWorkspace = (ctx: Context) => loader(ctx, makeIssueTagsOfWorkspace);
/** The issue tags a project sees (its workspace's and its own), by project id. */
export const issueTagsOfProject = (ctx: Context) => loader(ctx, makeIssueTagsOfProject);
