import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('workspaces')
export class WorkspaceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Email domains whose users count as internal, lower-case. */
  @Column('text', { name: 'internal_domains', array: true, default: () => "'{}'" })
  internalDomains!: string[];

  /** The last job event sequence number handed out; bumped under this row's lock. */
  @Column('bigint', { name: 'last_event_seq', default: 0 })
  lastEventSeq!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
