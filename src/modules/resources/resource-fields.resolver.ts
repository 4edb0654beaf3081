import { Ctx, FieldResolver, Resolver, Root, type ClassType } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { ResourceRoleEnum } from '../common/enums';
import { ResourceMember } from './assignment.types';
import type { ResourceRole } from './resource.entity';
import { resourceMembers } from './resource.loaders';
import { Dataset, Ontology, Project, type Resource } from './resource.types';

/** viewerRole and members, the same on the three resource types. */
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

    @FieldResolver(() => [ResourceMember], { description: 'Users with a role on this resource, directly or through a group (one entry per grant).' })
    @Auth('seeResourceMembers')
    members(@Root() resource: Resource, @Ctx() ctx: Context): Promise<ResourceMember[]> {
      return resourceMembers(ctx).load(resource.id);
    }
  }
  return ResourceFieldsResolver;
}

export const ProjectFieldsResolver = resourceFieldsResolver(Project);
export const DatasetFieldsResolver = resourceFieldsResolver(Dataset);
export const OntologyFieldsResolver = resourceFieldsResolver(Ontology);
