import { Field, ID, ObjectType } from 'type-graphql';
import { InvitationStatusEnum, WorkspaceRoleEnum } from '../common/enums';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';

/**
 * A person's place in one workspace, from the moment they are invited. `groups`,
 * `assignments`, `soleAdminOf` and `viewerCan` are field resolvers.
 */
@ObjectType('WorkspaceUser', { simpleResolvers: true, description: 'A person\'s place in one workspace, from the moment they are invited.' })
export class WorkspaceUser {
  @Field(() => ID)
  id!: string;

  /** Not in GraphQL: the workspace this place is in (field resolvers need it). */
  workspaceId!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;

  @Field(() => InvitationStatusEnum)
  status!: InvitationStatus;

  @Field()
  invitedAt!: Date;

  @Field(() => Date, { nullable: true })
  declinedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  joinedAt!: Date | null;

  @Field({ description: "Whether the email's domain is one of the workspace's internal domains." })
  internal!: boolean;

  @Field(() => Date, { nullable: true })
  removedAt!: Date | null;
}
