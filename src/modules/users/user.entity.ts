import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A person. Made when they first sign in, or earlier when someone invites their email
 * (then `subject` stays null until they sign in with a token carrying that email).
 */
@Entity('users')
@Index('users_email_key', { synchronize: false }) // unique on lower(email), made in the migration
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** The token's `sub`. */
  @Index('users_subject_key', { unique: true })
  @Column('text', { nullable: true })
  subject!: string | null;

  /** Stored lower-case. */
  @Column('text')
  email!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
