import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * One mutation sent with an Idempotency-Key: claimed (RUNNING) before it runs, COMMITTED in
 * the mutation's own transaction, DONE with its answer. A retry reads it (docs/workers.md).
 */
@Entity('idempotency_keys')
@Index('idempotency_keys_created_idx', ['createdAt'])
@Check('idempotency_keys_state_check', `"state" IN ('RUNNING', 'COMMITTED', 'DONE')`)
export class IdempotencyKeyEntity {
  /** The caller: the API key's id, or the person's when they signed in with a JWT. */
  @PrimaryColumn('uuid', { name: 'caller_id' })
  callerId!: string;

  @PrimaryColumn('text')
  key!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  /** SHA-256 of the request: operation text, operationName and variables. */
  @Column('text', { name: 'request_hash' })
  requestHash!: string;

  @Column('text')
  state!: 'RUNNING' | 'COMMITTED' | 'DONE';

  /** Which request holds a RUNNING claim: only it may mark it COMMITTED. */
  @Column('uuid', { name: 'claim_id' })
  claimId!: string;

  @Column('int', { name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column('text', { name: 'response_body', nullable: true })
  responseBody!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  /** When its state last changed: a RUNNING claim older than a request may live is abandoned. */
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;
}
