import { Field, ID, ObjectType } from 'type-graphql';

/** A group; `members`, `managers` and `assignments` are field resolvers of the groups module. */
@ObjectType('Group', { simpleResolvers: true })
export class Group {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;

  /** Not in GraphQL. */
  workspaceId!: string;
  createdBy!: string | null;
}
