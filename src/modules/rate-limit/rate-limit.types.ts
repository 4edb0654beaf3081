import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('RateLimit', { simpleResolvers: true })
export class RateLimit {
  @Field(() => Int, { description: 'Points per window; an operation costs its estimated cost (an invitation costs one point per email).' })
  limit!: number;

  @Field(() => Int)
  remaining!: number;

  @Field(() => Int, { description: 'The cost of the operation that asked.' })
  cost!: number;

  @Field()
  resetAt!: Date;
}
