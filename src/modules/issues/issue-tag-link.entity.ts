import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { IssueTagEntity } from '../tags/issue-tag.entity';
import { IssueEntity } from './issue.entity';

@Entity('issue_tag_links')
@Index('issue_tag_links_tag_idx', ['tagId'])
export class IssueTagLinkEntity {
  @PrimaryColumn('uuid', { name: 'issue_id' })
  issueId!: string;

  @PrimaryColumn('uuid', { name: 'tag_id' })
  tagId!: string;

  @ManyToOne(() => IssueEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'issue_id' })
  issue?: IssueEntity;

  @ManyToOne(() => IssueTagEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: IssueTagEntity;
}
