import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JobStatusEnum, JobTypeEnum } from '../common/enums';
import { Check } from '../common/input-checks';
import { PageInfo } from '../common/pagination';
import { id } from '../common/validation';
import type { JobStatus, JobType } from '../jobs/job.entity';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus } from './webhook-delivery.entity';
import { webhookUrl } from './webhook-address';

export const WebhookDeliveryStatusEnum = Object.fromEntries(WEBHOOK_DELIVERY_STATUSES.map((s) => [s, s])) as { [K in WebhookDeliveryStatus]: K };
registerEnumType(WebhookDeliveryStatusEnum, { name: 'WebhookDeliveryStatus' });

@ObjectType('Webhook', { simpleResolvers: true })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'An https URL (http and private addresses only where the operator allows them).' })
  url!: string;

  @Field(() => [JobStatusEnum], { description: 'The job statuses whose events it receives (empty: every event, progress included).' })
  statuses!: JobStatus[];

  @Field(() => [JobTypeEnum])
  types!: JobType[];

  @Field()
  createdAt!: Date;

  /** Not in GraphQL: an event's cursor names its workspace. */
  workspaceId!: string;
}

@ObjectType('WebhookDelivery', {
  simpleResolvers: true,
  description:
    'One job event sent to one webhook: a POST of JSON {cursor, event, job} signed with\nHMAC-SHA256 of the body in the X-Signature-256 header ("sha256=<hex>"), with the event\'s\ncursor in X-Delivery-Id so receivers drop duplicates. Retried with backoff until a 2xx or\nthe attempts run out; delivered at least once, in cursor order per webhook.',
})
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field()
  eventCursor!: string;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}

@ObjectType('WebhookDeliveryConnection', { simpleResolvers: true })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDelivery])
  nodes!: WebhookDelivery[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('CreatedWebhook', { simpleResolvers: true })
export class CreatedWebhook {
  @Field({ description: 'The signing secret, shown once.' })
  secret!: string;

  @Field(() => Webhook)
  webhook!: Webhook;
}

@InputType('CreateWebhookInput')
export class CreateWebhookInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  /** Its form here; where it points (the addresses its host resolves to) is checked by the service. */
  @Field()
  @Check(webhookUrl())
  url!: string;

  @Field(() => [JobStatusEnum], { nullable: true })
  statuses?: JobStatus[] | null;

  @Field(() => [JobTypeEnum], { nullable: true })
  types?: JobType[] | null;
}
