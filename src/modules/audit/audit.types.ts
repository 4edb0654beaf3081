import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';

@ObjectType('AuditEntry', { simpleResolvers: true, description: 'One recorded change, written in the same transaction as the change itself.' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field()
  at!: Date;

  @Field({ description: "The mutation's name, e.g. changeUserRole." })
  action!: string;

  @Field()
  targetType!: string;

  @Field(() => ID)
  targetId!: string;

  @Field({ description: 'What changed, as a JSON object (e.g. {"from":"MEMBER","to":"ADMIN"}).' })
  details!: string;

  /** Not in GraphQL: `actor` resolves them through the batched workspace-user loader. */
  workspaceId!: string;
  actorId!: string | null;
}

@ObjectType('AuditEntryConnection', { simpleResolvers: true })
export class AuditEntryConnection extends Connection(AuditEntry) {}
