import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import type { Page } from '../common/pagination';
import { Workspace } from '../workspaces/workspace.types';
import { DatasetConnection, OntologyConnection, ProjectConnection } from './resource-connections.types';
import { CreateResourceInput, ProjectFilter, ResourceFilter } from './resource.inputs';
import * as resources from './resource.service';
import { Dataset, Ontology, Project, type Resource } from './resource.types';

/** Creating resources, and the workspace's lists of them. */
@Resolver(() => Workspace)
export class ResourceResolver {
  @Mutation(() => Project, { description: "Not TASKERs. The creator becomes the resource's ADMIN." })
  @Auth('createResource')
  createProject(@Arg('input') input: CreateResourceInput, @Ctx() ctx: Context): Promise<Resource> {
    return resources.createResource(ctx, 'PROJECT', input);
  }

  @Mutation(() => Dataset)
  @Auth('createResource')
  createDataset(@Arg('input') input: CreateResourceInput, @Ctx() ctx: Context): Promise<Resource> {
    return resources.createResource(ctx, 'DATASET', input);
  }

  @Mutation(() => Ontology)
  @Auth('createResource')
  createOntology(@Arg('input') input: CreateResourceInput, @Ctx() ctx: Context): Promise<Resource> {
    return resources.createResource(ctx, 'ONTOLOGY', input);
  }

  @FieldResolver(() => ProjectConnection, {
    description: 'ADMINs see every resource; others those they were given a role on, directly or through a group.',
  })
  @Auth('seeResources')
  projects(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('filter', () => ProjectFilter, { nullable: true }) filter: ProjectFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<Resource>> {
    return resources.listResources(ctx, workspace, 'PROJECT', { filter, first, after });
  }

  @FieldResolver(() => DatasetConnection)
  @Auth('seeResources')
  datasets(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('filter', () => ResourceFilter, { nullable: true }) filter: ResourceFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<Resource>> {
    return resources.listResources(ctx, workspace, 'DATASET', { filter, first, after });
  }

  @FieldResolver(() => OntologyConnection)
  @Auth('seeResources')
  ontologies(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('filter', () => ResourceFilter, { nullable: true }) filter: ResourceFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<Resource>> {
    return resources.listResources(ctx, workspace, 'ONTOLOGY', { filter, first, after });
  }

  @FieldResolver(() => Project, { nullable: true })
  @Auth('seeResource')
  project(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Resource | null> {
    return resources.findResource(ctx, 'PROJECT', id);
  }

  @FieldResolver(() => Dataset, { nullable: true })
  @Auth('seeResource')
  dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Resource | null> {
    return resources.findResource(ctx, 'DATASET', id);
  }

  @FieldResolver(() => Ontology, { nullable: true })
  @Auth('seeResource')
  ontology(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Resource | null> {
    return resources.findResource(ctx, 'ONTOLOGY', id);
  }
}
