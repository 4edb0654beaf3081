import { IssueResolver, ProjectIssuesResolver } from './issues/issue.resolver';
import { IssueTagResolver, ProjectIssueTagsResolver, WorkspaceIssueTagsResolver } from './tags/issue-tag.resolver';
import { ProjectTagResolver, ProjectTagsResolver, WorkspaceProjectTagsResolver } from './tags/project-tag.resolver';
import { ApiKeyResolver, WorkspaceApiKeysResolver } from './api-keys/api-key.resolver';
import { AuditEntryResolver, WorkspaceAuditResolver } from './audit/audit.resolver';
import { UserMutationsResolver, WorkspaceUserFieldsResolver, WorkspaceUsersResolver } from './users/users.resolver';
import { GroupFieldsResolver, UserGroupsResolver } from './groups/group-fields.resolver';
import { GroupResolver } from './groups/group.resolver';
import { AssignmentResolver } from './resources/assignment.resolver';
import { DatasetFieldsResolver, OntologyFieldsResolver, ProjectFieldsResolver } from './resources/resource-fields.resolver';
import { ResourceResolver } from './resources/resource.resolver';
import { JobEventResolver, JobResolver, WorkspaceJobsResolver } from './jobs/job.resolver';
import { RateLimitResolver } from './rate-limit/rate-limit.resolver';
import { ViewerResolver } from './users/viewer.resolver';
import { WorkspaceResolver } from './workspaces/workspace.resolver';
import { WebhookResolver, WorkspaceWebhooksResolver } from './webhooks/webhook.resolver';

/** Every resolver class of the schema. A new module adds its resolvers here. */
export const resolvers = [
  ViewerResolver,
  RateLimitResolver,
  WorkspaceResolver,
  // users, invitations, API keys, audit log
  WorkspaceUsersResolver,
  UserMutationsResolver,
  WorkspaceUserFieldsResolver,
  WorkspaceApiKeysResolver,
  ApiKeyResolver,
  WorkspaceAuditResolver,
  AuditEntryResolver,
  // tags and issues
  ProjectTagResolver,
  WorkspaceProjectTagsResolver,
  ProjectTagsResolver,
  IssueTagResolver,
  WorkspaceIssueTagsResolver,
  ProjectIssueTagsResolver,
  IssueResolver,
  ProjectIssuesResolver,
  // resources, resource roles, groups
  ResourceResolver,
  ProjectFieldsResolver,
  DatasetFieldsResolver,
  OntologyFieldsResolver,
  AssignmentResolver,
  GroupResolver,
  GroupFieldsResolver,
  UserGroupsResolver,
  // Activity Center
  JobResolver,
  WorkspaceJobsResolver,
  JobEventResolver,
  // webhooks
  WorkspaceWebhooksResolver,
  WebhookResolver,
] as const;
