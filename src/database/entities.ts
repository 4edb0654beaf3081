import { AuditEntryEntity } from '../modules/audit/audit-entry.entity';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { GroupManagerEntity } from '../modules/groups/group-manager.entity';
import { GroupMemberEntity } from '../modules/groups/group-member.entity';
import { GroupEntity } from '../modules/groups/group.entity';
import { IdempotencyKeyEntity } from '../modules/idempotency/idempotency-key.entity';
import { IssueTagLinkEntity } from '../modules/issues/issue-tag-link.entity';
import { IssueEntity } from '../modules/issues/issue.entity';
import { JobEntity } from '../modules/jobs/job.entity';
import { StorageFolderEntity } from '../modules/jobs/storage-folder.entity';
import { OutboxMailEntity } from '../modules/mail/outbox-mail.entity';
import { ResourceGroupRoleEntity } from '../modules/resources/resource-group-role.entity';
import { ResourceUserRoleEntity } from '../modules/resources/resource-user-role.entity';
import { ResourceEntity } from '../modules/resources/resource.entity';
import { IssueTagEntity } from '../modules/tags/issue-tag.entity';
import { ProjectTagLinkEntity } from '../modules/tags/project-tag-link.entity';
import { ProjectTagEntity } from '../modules/tags/project-tag.entity';
import { MembershipEntity } from '../modules/users/membership.entity';
import { UserEntity } from '../modules/users/user.entity';
import { WorkspaceEntity } from '../modules/workspaces/workspace.entity';
import { JobEventEntity } from '../events/job-event.entity';
import { WebhookDeliveryEntity } from '../modules/webhooks/webhook-delivery.entity';
import { WebhookEntity } from '../modules/webhooks/webhook.entity';

/** Every entity, listed explicitly so the app, the tests and the CLI load the same set. */
export const entities = [
  WorkspaceEntity,
  UserEntity,
  MembershipEntity,
  ResourceEntity,
  ResourceUserRoleEntity,
  ResourceGroupRoleEntity,
  GroupEntity,
  GroupMemberEntity,
  GroupManagerEntity,
  ProjectTagEntity,
  ProjectTagLinkEntity,
  IssueTagEntity,
  IssueEntity,
  IssueTagLinkEntity,
  StorageFolderEntity,
  JobEntity,
  JobEventEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  OutboxMailEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  IdempotencyKeyEntity,
];
