import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ApiKeyScopeEnum } from '../common/enums';
import { Check } from '../common/input-checks';
import { futureDate, id, name, someOf } from '../common/validation';
import type { ApiKeyScope } from './api-key.entity';

/** The latest expiry a key may be given: a key is a long-lived secret, not a forever one. */
export const MAX_KEY_LIFETIME_YEARS = 10;

@ObjectType('ApiKey', { simpleResolvers: true })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => [ApiKeyScopeEnum])
  scopes!: ApiKeyScope[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Kept to the minute: a key in use is not written on every request.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'After this moment the key is refused (null: until revoked).' })
  expiresAt!: Date | null;
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

  @Field(() => [ApiKeyScopeEnum], { nullable: true, description: 'Default [FULL].' })
  @Check(someOf())
  scopes?: ApiKeyScope[] | null;

  @Field(() => Date, { nullable: true })
  @Check(futureDate(MAX_KEY_LIFETIME_YEARS))
  expiresAt?: Date | null;
}
