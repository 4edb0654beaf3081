import { Field, ID, ObjectType } from 'type-graphql';
import { WorkspaceRoleEnum } from '../common/enums';
import type { WorkspaceRole } from './membership.entity';

@ObjectType('Viewer', { simpleResolvers: true })
export class ViewerType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Inviter {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field()
  email!: string;
}

@ObjectType({ simpleResolvers: true })
export class Invitation {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  workspaceName!: string;

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;

  @Field()
  invitedAt!: Date;

  @Field(() => Inviter, { nullable: true, description: "Who sent the invitation (null for invitations older than this field, or made by the operator's CLI)" })
  invitedBy!: Inviter | null;
}
