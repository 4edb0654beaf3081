import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookEntity } from './webhook.entity';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One job event for one webhook. The body is written once, when the event is taken from the
 * log, so every attempt sends the same bytes with the same signature and the delivery does
 * not depend on the event still being in the log (job_events is pruned).
 */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_event_key', ['webhookId', 'seq'], { unique: true })
@Index('webhook_deliveries_pending_idx', ['webhookId', 'seq'], { where: `"status" = 'PENDING'` })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: number;

  @Column('uuid', { name: 'webhook_id' })
  webhookId!: string;

  /** The event's number in its workspace's log (its cursor holds the workspace and this). */
  @Column('bigint')
  seq!: number;

  @Column('text')
  body!: string;

  @Column('text', { default: 'PENDING' })
  status!: WebhookDeliveryStatus;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('int', { name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true, default: () => 'now()' })
  nextAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id' })
  webhook?: WebhookEntity;
}
