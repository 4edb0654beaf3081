import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('ProjectTag', { simpleResolvers: true })
export class ProjectTag {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  /** Not in GraphQL. */
  workspaceId!: string;
}

/** `project` is a field resolver (issue-tag.resolver.ts). */
@ObjectType('IssueTag', { simpleResolvers: true })
export class IssueTag {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  /** Not in GraphQL: the workspace, and the project for a project-level tag (null: workspace-level). */
  workspaceId!: string;
  projectId!: string | null;
}

@InputType('CreateTagInput')
export class CreateTagInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  name!: string;
}

@InputType('CreateIssueTagInput')
export class CreateIssueTagInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  name!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Makes a tag of this project alone (project ADMINs may); null makes a workspace-level tag (workspace ADMINs only).',
  })
  projectId?: string | null;
}

@InputType('SetProjectTagsInput')
export class SetProjectTagsInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => [ID])
  tagIds!: string[];
}
