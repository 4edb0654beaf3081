import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Check } from '../common/input-checks';
import { id, ids, name } from '../common/validation';

/** Tag names: 1 to 64 characters. */
const TAG_NAME_MAX = 64;

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
  @Check(id())
  workspaceId!: string;

  @Field()
  @Check(name(TAG_NAME_MAX))
  name!: string;
}

@InputType('CreateIssueTagInput')
export class CreateIssueTagInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field()
  @Check(name(TAG_NAME_MAX))
  name!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Makes a tag of this project alone (project ADMINs may); null makes a workspace-level tag (workspace ADMINs only).',
  })
  @Check(id())
  projectId?: string | null;
}

@InputType('SetProjectTagsInput')
export class SetProjectTagsInput {
  @Field(() => ID)
  @Check(id())
  projectId!: string;

  @Field(() => [ID])
  @Check(ids({ max: 100, what: 'tag' }))
  tagIds!: string[];
}
