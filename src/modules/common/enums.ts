import { registerEnumType } from 'type-graphql';
import { API_KEY_SCOPES } from '../api-keys/api-key.entity';
import { ISSUE_STATUSES } from '../issues/issue.entity';
import { JOB_STATUSES, JOB_TYPES } from '../jobs/job.entity';
import { RESOURCE_ROLES, RESOURCE_TYPES } from '../resources/resource.entity';
import { INVITATION_STATUSES, WORKSPACE_ROLES } from '../users/membership.entity';

/** The contract's enums as GraphQL enums, from the same lists the entities use. */
const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const WorkspaceRoleEnum = asEnum(WORKSPACE_ROLES);
export const InvitationStatusEnum = asEnum(INVITATION_STATUSES);
export const ResourceTypeEnum = asEnum(RESOURCE_TYPES);
export const ResourceRoleEnum = asEnum(RESOURCE_ROLES);
export const JobTypeEnum = asEnum(JOB_TYPES);
export const JobStatusEnum = asEnum(JOB_STATUSES);
export const IssueStatusEnum = asEnum(ISSUE_STATUSES);
export const ApiKeyScopeEnum = asEnum(API_KEY_SCOPES);
export const SortDirectionEnum = asEnum(['ASC', 'DESC'] as const);
export type SortDirection = keyof typeof SortDirectionEnum;

registerEnumType(WorkspaceRoleEnum, { name: 'WorkspaceRole', description: 'The role a user holds in the whole workspace.' });
registerEnumType(InvitationStatusEnum, { name: 'InvitationStatus', description: "Where a user's invitation to the workspace stands." });
registerEnumType(ResourceTypeEnum, { name: 'ResourceType' });
registerEnumType(ResourceRoleEnum, {
  name: 'ResourceRole',
  description:
    'The role a user (or a group) holds on one resource.\nProjects take ADMIN, TEAM_MANAGER, REVIEWER, ANNOTATOR, ANNOTATOR_REVIEWER;\ndatasets and ontologies take ADMIN and USER. Any other pairing is BAD_USER_INPUT.',
});
registerEnumType(JobTypeEnum, { name: 'JobType' });
registerEnumType(JobStatusEnum, { name: 'JobStatus', valuesConfig: { CANCELLED: { description: 'Stopped on request before it finished.' } } });
registerEnumType(IssueStatusEnum, { name: 'IssueStatus' });
registerEnumType(SortDirectionEnum, { name: 'SortDirection' });
registerEnumType(ApiKeyScopeEnum, {
  name: 'ApiKeyScope',
  description: 'What an API key may do. READ: queries and subscriptions. JOBS: READ, plus starting and reporting jobs. FULL: all its maker may.',
});
