import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { AT_ONCE } from '../../server/limits/caps';
import { Check } from '../common/input-checks';
import { id, ids, name } from '../common/validation';
import { IssueStatusEnum } from '../common/enums';
import type { IssueStatus } from './issue.entity';

/** `tags` is a field resolver (issue.resolver.ts). */
@ObjectType('ProjectIssue', { simpleResolvers: true })
export class ProjectIssue {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field(() => IssueStatusEnum)
  status!: IssueStatus;

  @Field()
  createdAt!: Date;

  /** Not in GraphQL. */
  workspaceId!: string;
  projectId!: string;
}

@InputType('CreateIssueInput')
export class CreateIssueInput {
  @Field(() => ID)
  @Check(id())
  projectId!: string;

  @Field()
  @Check(name(500))
  title!: string;

  @Field(() => [ID], { nullable: true })
  @Check(ids({ max: AT_ONCE.issueTags, what: 'tag' }))
  tagIds?: string[] | null;
}

@InputType('IssueFilter')
export class IssueFilter {
  @Field(() => [ID], { nullable: true, description: 'Issues carrying every one of these tags.' })
  @Check(ids({ max: 100, what: 'tag' }))
  tagIds?: string[] | null;

  @Field(() => IssueStatusEnum, { nullable: true })
  status?: IssueStatus | null;
}
