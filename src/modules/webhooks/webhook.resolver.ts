import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { Workspace } from '../workspaces/workspace.types';
import { createWebhook, deleteWebhook, webhookDeliveries, workspaceWebhooks } from './webhook.service';
import { CreatedWebhook, CreateWebhookInput, Webhook, WebhookDeliveryConnection } from './webhook.types';

/** Workspace.webhooks: ADMINs only. */
@Resolver(() => Workspace)
export class WorkspaceWebhooksResolver {
  @FieldResolver(() => [Webhook], { description: 'ADMINs only: where job events are delivered as signed HTTP requests.' })
  @Auth('seeWebhooks')
  webhooks(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<Webhook[]> {
    return workspaceWebhooks(ctx, workspace.id);
  }
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(
    @Root() webhook: Webhook,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<WebhookDeliveryConnection> {
    return webhookDeliveries(ctx, webhook, first, after);
  }

  @Mutation(() => CreatedWebhook, { description: 'ADMINs only.' })
  @Auth('createWebhook')
  createWebhook(@Arg('input') input: CreateWebhookInput, @Ctx() ctx: Context): Promise<CreatedWebhook> {
    return createWebhook(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('deleteWebhook')
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return deleteWebhook(ctx, id);
  }
}
