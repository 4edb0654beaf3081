import { randomUUID } from 'node:crypto';
import type { Context } from '../../server/context';
import { invariant, notFound, unauthenticated } from '../../server/errors';
import type { Queryable } from '../../database/sql';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { runMutation } from '../common/mutation';
import { domainOf } from '../common/validation';
import { managersOutside } from '../groups/groups.data';
import type { WorkspaceRole } from '../users/membership.entity';
import { addFounder } from '../users/users.data';
import type { CreateWorkspaceInput, UpdateWorkspaceInput, Workspace } from './workspace.types';
import { insertWorkspace, joinedCount, joinedWorkspaces, lockWorkspace, updateWorkspaceRow, type WorkspaceRow } from './workspaces.data';

function asWorkspace(row: WorkspaceRow, viewerRole: WorkspaceRole): Workspace {
  return { ...row, viewerRole };
}

/** The workspace if the viewer has JOINED it; null otherwise (it does not exist for them). */
export async function findWorkspace(ctx: Context, id: string): Promise<Workspace | null> {
  const membership = await ctx.access.joined(id);
  return membership ? asWorkspace(membership.workspace, membership.role) : null;
}

/** Workspaces the viewer has joined (an API key sees its own workspace only). */
export async function viewerWorkspaces(ctx: Context, limit: number): Promise<Workspace[]> {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  const rows = await joinedWorkspaces(ctx.db, viewer.userId, viewer.apiKey?.workspaceId ?? null, limit);
  return rows.map(({ role, ...row }) => asWorkspace(row, role));
}

/** INVARIANT when the person has joined more workspaces than a person may (server/limits/caps.ts). */
export async function keepsWorkspaceCap(tx: Queryable, userId: string): Promise<void> {
  if ((await joinedCount(tx, userId)) > CAPS.personWorkspaces) throw capExceeded('personWorkspaces', 'You would be in more workspaces than a person may join');
}

/** Any signed-in person (never an API key: the rule); they become its first ADMIN, and their email's domain its first internal domain. */
export async function createWorkspace(ctx: Context, input: CreateWorkspaceInput): Promise<Workspace> {
  const viewer = ctx.viewer!;
  const internalDomains = input.internalDomains ?? [domainOf(viewer.email)];
  const row = await runMutation(ctx, {
    rule: 'createWorkspace',
    args: { input },
    change: async (tx) => {
      const id = randomUUID();
      const created = await insertWorkspace(tx, { id, name: input.name, internalDomains });
      await addFounder(tx, id, viewer.userId);
      await keepsWorkspaceCap(tx, viewer.userId);
      return {
        result: created,
        audit: [{ workspaceId: id, actorId: viewer.userId, action: 'createWorkspace', targetType: 'Workspace', targetId: id, details: { name: input.name, internalDomains } }],
      };
    },
  });
  return asWorkspace(row, 'ADMIN');
}

/**
 * updateWorkspace (ADMINs): name and internal domains. Group managers must stay internal: a
 * change of domains that would leave one external is refused (INVARIANT, naming them). Adding
 * a manager reads the workspace row FOR SHARE, and this holds it FOR UPDATE, so the two cannot race.
 */
export async function updateWorkspace(ctx: Context, input: UpdateWorkspaceInput): Promise<Workspace> {
  const { workspaceId } = input;
  await runMutation(ctx, {
    rule: 'updateWorkspace',
    args: { input },
    workspaceId,
    what: 'workspace',
    lock: (tx) => lockWorkspace(tx, workspaceId),
    change: async (tx, before) => {
      if (!before) throw notFound('workspace');
      if (input.internalDomains) {
        const stranded = await managersOutside(tx, workspaceId, input.internalDomains);
        if (stranded.length > 0) {
          throw invariant(`These group managers would no longer be internal: ${stranded.map((r) => r.email).join(', ')}. Remove them as managers first.`);
        }
      }
      const after = await updateWorkspaceRow(tx, workspaceId, { name: input.name ?? null, internalDomains: input.internalDomains ?? null });
      const details = { from: { name: before.name, internalDomains: before.internalDomains }, to: { name: after.name, internalDomains: after.internalDomains } };
      return { result: after, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'updateWorkspace', targetType: 'Workspace', targetId: workspaceId, details }] };
    },
  });
  return (await findWorkspace(ctx, workspaceId))!;
}
