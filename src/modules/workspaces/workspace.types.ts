import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { WorkspaceRoleEnum } from '../common/enums';
import type { WorkspaceRole } from '../users/membership.entity';

/** A workspace as the viewer sees it: always with their own role in it. */
@ObjectType('Workspace', { simpleResolvers: true })
export class Workspace {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => WorkspaceRoleEnum)
  viewerRole!: WorkspaceRole;

  @Field(() => [String], { description: 'Email domains whose users count as internal (group managers must be internal).' })
  internalDomains!: string[];

  @Field()
  createdAt!: Date;
}

@InputType()
export class CreateWorkspaceInput {
  @Field()
  name!: string;

  @Field(() => [String], { nullable: true })
  internalDomains?: string[] | null;
}

@InputType()
export class UpdateWorkspaceInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true })
  internalDomains?: string[] | null;
}
