import { Field, ID, InterfaceType, ObjectType } from 'type-graphql';
import { ResourceRoleEnum, ResourceTypeEnum } from '../common/enums';
import type { ResourceRole, ResourceType } from './resource.entity';

/** The GraphQL type of a resource value. */
export function resourceTypeName(value: { type: ResourceType }): 'Project' | 'Dataset' | 'Ontology' {
  return value.type === 'PROJECT' ? 'Project' : value.type === 'DATASET' ? 'Dataset' : 'Ontology';
}

/** The order lists of mixed resources read in: by type, then name, then id. */
export function byTypeAndName(a: Resource, b: Resource): number {
  return a.type.localeCompare(b.type) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id.localeCompare(b.id);
}

@InterfaceType('Resource', { resolveType: resourceTypeName })
export abstract class Resource {
  @Field(() => ID)
  id!: string;

  @Field(() => ResourceTypeEnum)
  type!: ResourceType;

  @Field()
  name!: string;

  @Field()
  createdAt!: Date;

  /** Not in GraphQL. */
  workspaceId!: string;
  description!: string | null;
}

/**
 * The three resource types. `viewerRole`, `members` and the project's tags, issue tags and
 * issues are field resolvers of their modules.
 */
@ObjectType('Project', { simpleResolvers: true, implements: Resource })
export class Project extends Resource {
  @Field(() => String, { nullable: true })
  override description!: string | null;
}

@ObjectType('Dataset', { simpleResolvers: true, implements: Resource })
export class Dataset extends Resource {
  @Field(() => String, { nullable: true })
  override description!: string | null;
}

@ObjectType('Ontology', { simpleResolvers: true, implements: Resource })
export class Ontology extends Resource {
  @Field(() => String, { nullable: true })
  override description!: string | null;
}

export { ResourceRoleEnum };
export type { ResourceRole };
