import { Arg, Ctx, FieldResolver, Int, Resolver, Root, type ClassType } from 'type-graphql';
import { resourceCapabilities } from '../../authorization/capabilities';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { CAPS, firstDescription } from '../../server/limits/caps';
import { ResourceRoleEnum } from '../common/enums';
import { ResourceMember } from './assignment.types';
import type { ResourceRole } from './resource.entity';
import { ResourceCapabilities } from './resource.inputs';
import { resourceMembers } from './resource.loaders';
import { Dataset, Ontology, Project, type Resource } from './resource.types';

/** viewerRole, members and viewerCan, the same on the three resource types. */
function resourceFieldsResolver(Type: ClassType<Resource>) {
  @Resolver(() => Type)
  class ResourceFieldsResolver {
    @FieldResolver(() => ResourceRoleEnum, {
      nullable: true,
      description: "The viewer's effective role here, or null (a workspace ADMIN sees every resource).",
    })
    async viewerRole(@Root() resource: Resource, @Ctx() ctx: Context): Promise<ResourceRole | null> {
      return (await ctx.access.resource(resource.id))?.viewerRole ?? null;
    }

    @FieldResolver(() => [ResourceMember], {
      nullable: true,
      description: 'Users with a role here, directly or through a group; null with FORBIDDEN for viewers who may not see them.',
    })
    @Auth('seeResourceMembers')
    members(
      @Root() resource: Resource,
      @Ctx() ctx: Context,
      @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.resourceMembers) }) first?: number | null,
    ): Promise<ResourceMember[]> {
      return resourceMembers(ctx, first ?? CAPS.resourceMembers).load(resource.id);
    }

    @FieldResolver(() => ResourceCapabilities)
    viewerCan(@Root() resource: Resource, @Ctx() ctx: Context): Promise<ResourceCapabilities> {
      return resourceCapabilities(ctx, resource);
    }
  }
  return ResourceFieldsResolver;
}

export const ProjectFieldsResolver = resourceFieldsResolver(Project);
export const DatasetFieldsResolver = resourceFieldsResolver(Dataset);
export const OntologyFieldsResolver = resourceFieldsResolver(Ontology);
