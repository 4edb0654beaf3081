import { Field, ID, ObjectType } from 'type-graphql';
import { WorkspaceRoleEnum } from '../common/enums';
import type { WorkspaceRole } from './membership.entity';

@ObjectType('Viewer')
export class ViewerType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType()
export class Invitation {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  workspaceName!: string;

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;

  @Field()
  invitedAt!: Date;
}
