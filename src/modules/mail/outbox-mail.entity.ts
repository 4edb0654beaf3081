import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Mail waiting to be sent. Written in the transaction that causes it (an invitation), sent
 * after commit and retried with back-off, so a mail failure never undoes the change.
 */
@Entity('outbox_mail')
@Index('outbox_mail_pending_idx', ['sentAt', 'nextAttemptAt'])
export class OutboxMailEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: number;

  @Column('text', { name: 'to_address' })
  to!: string;

  @Column('text')
  subject!: string;

  @Column('text')
  body!: string;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
