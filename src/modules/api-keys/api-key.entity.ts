import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** What a key may do, lowest first: each includes the ones before it (authorization/key-scopes.ts). */
export const API_KEY_SCOPES = ['READ', 'JOBS', 'FULL'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A key acts as its maker in its workspace only, within its scopes, until it expires. Only a SHA-256 hash of the secret is kept. */
@Entity('api_keys')
@Index('api_keys_owner_idx', ['workspaceId', 'userId'])
@Check('api_keys_scopes_check', `cardinality("scopes") > 0 AND "scopes" <@ ARRAY['READ', 'JOBS', 'FULL']::text[]`)
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  name!: string;

  @Index('api_keys_hash_key', { unique: true })
  @Column('text', { name: 'secret_hash' })
  secretHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('text', { array: true, default: () => "'{FULL}'" })
  scopes!: ApiKeyScope[];

  /** After this the key is refused (null: until revoked). */
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;
}
