import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { Workspace } from '../workspaces/workspace.types';
import { createApiKey, revokeApiKey, viewerApiKeys } from './api-key.service';
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.types';

/** Workspace.apiKeys: the viewer's own. */
@Resolver(() => Workspace)
export class WorkspaceApiKeysResolver {
  @FieldResolver(() => [ApiKey], { description: "The viewer's own API keys." })
  @Auth('seeOwnApiKeys')
  apiKeys(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<ApiKey[]> {
    return viewerApiKeys(ctx, workspace.id);
  }
}

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKey)
  @Auth('ownApiKeys')
  createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: Context): Promise<CreatedApiKey> {
    return createApiKey(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('revokeApiKey')
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return revokeApiKey(ctx, id);
  }
}
