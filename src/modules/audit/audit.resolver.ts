import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import type { Page } from '../common/pagination';
import { workspaceUsers } from '../users/users.loaders';
import { WorkspaceUser } from '../users/workspace-user.types';
import { Workspace } from '../workspaces/workspace.types';
import { auditLog } from './audit.service';
import { AuditEntry, AuditEntryConnection } from './audit.types';

/** Workspace.auditLog: ADMINs only. */
@Resolver(() => Workspace)
export class WorkspaceAuditResolver {
  @FieldResolver(() => AuditEntryConnection, {
    description: 'ADMINs only: every change of membership, role, group, assignment, tag and key, newest first.',
  })
  @Auth('auditLog')
  auditLog(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<AuditEntry>> {
    return auditLog(ctx, workspace.id, first, after);
  }
}

@Resolver(() => AuditEntry)
export class AuditEntryResolver {
  /** Batched: a page of entries costs one query for all its actors (removed people included). */
  @FieldResolver(() => WorkspaceUser, { nullable: true, description: "Who made the change; null for an operator's command-line action." })
  actor(@Root() entry: AuditEntry, @Ctx() ctx: Context): Promise<WorkspaceUser | null> | null {
    return entry.actorId ? workspaceUsers(ctx).load({ workspaceId: entry.workspaceId, userId: entry.actorId }) : null;
  }
}
