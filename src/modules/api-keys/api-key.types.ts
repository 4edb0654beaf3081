import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Check } from '../common/input-checks';
import { id, name } from '../common/validation';

@ObjectType('ApiKey', { simpleResolvers: true })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Kept to the minute: a key in use is not written on every request.' })
  lastUsedAt!: Date | null;
}

@ObjectType('CreatedApiKey', { simpleResolvers: true })
export class CreatedApiKey {
  @Field({ description: 'The secret, shown once.' })
  key!: string;

  @Field(() => ApiKey)
  apiKey!: ApiKey;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field()
  @Check(name(100))
  name!: string;
}
