import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, invariant, unauthenticated } from '../../server/errors';
import { audit } from '../audit/audit';
import { cleanDomains, cleanName, domainOf } from '../common/validation';
import type { WorkspaceRole } from '../users/membership.entity';
import type { CreateWorkspaceInput, UpdateWorkspaceInput } from './workspace.types';
import type { Workspace } from './workspace.types';

interface WorkspaceRow {
  id: string;
  name: string;
  internalDomains: string[];
  createdAt: Date;
}

const COLUMNS = `w.id, w.name, w.internal_domains AS "internalDomains", w.created_at AS "createdAt"`;

function asWorkspace(row: WorkspaceRow, viewerRole: WorkspaceRole): Workspace {
  return { ...row, viewerRole };
}

/** The workspace if the viewer has JOINED it; null otherwise (it does not exist for them). */
export async function findWorkspace(ctx: Context, id: string): Promise<Workspace | null> {
  const membership = await ctx.access.joined(id);
  return membership ? asWorkspace(membership.workspace, membership.role) : null;
}

/** Workspaces the viewer has joined (an API key sees its own workspace only). */
export async function viewerWorkspaces(ctx: Context): Promise<Workspace[]> {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  const rows: Array<WorkspaceRow & { role: WorkspaceRole }> = await ctx.db.query(
    `SELECT ${COLUMNS}, m.role
       FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.user_id = $1 AND m.status = 'JOINED' AND m.removed_at IS NULL
        AND ($2::uuid IS NULL OR w.id = $2::uuid)
      ORDER BY w.name, w.id`,
    [viewer.userId, viewer.apiKey?.workspaceId ?? null],
  );
  return rows.map(({ role, ...row }) => asWorkspace(row, role));
}

/** Any signed-in person; they become its first ADMIN, and their email's domain its first internal domain. */
export async function createWorkspace(ctx: Context, input: CreateWorkspaceInput): Promise<Workspace> {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  if (viewer.apiKey) throw badInput('input', 'An API key acts in its own workspace only; sign in to create a workspace');
  const name = cleanName(input.name, 'input.name');
  const domains = input.internalDomains == null ? [domainOf(viewer.email)] : cleanDomains(input.internalDomains, 'input.internalDomains');
  const id = randomUUID();
  const row = await ctx.db.transaction(async (tx) => {
    const [created] = await tx.query(
      `INSERT INTO workspaces AS w (id, name, internal_domains) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [id, name, domains],
    );
    await tx.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, 'ADMIN', 'JOINED', now(), now())`,
      [id, viewer.userId],
    );
    await audit(tx, { workspaceId: id, actorId: viewer.userId, action: 'createWorkspace', targetType: 'Workspace', targetId: id, details: { name, internalDomains: domains } });
    return created as WorkspaceRow;
  });
  ctx.access.clear();
  return asWorkspace(row, 'ADMIN');
}

/** ADMINs (checked by the rule): name and internal domains. */
export async function updateWorkspace(ctx: Context, input: UpdateWorkspaceInput): Promise<Workspace> {
  const name = input.name == null ? null : cleanName(input.name, 'input.name');
  const domains = input.internalDomains == null ? null : cleanDomains(input.internalDomains, 'input.internalDomains');
  const row = await ctx.db.transaction(async (tx) => {
    const before = await queryOne(tx, `SELECT ${COLUMNS} FROM workspaces w WHERE w.id = $1 FOR UPDATE`, [input.workspaceId]);
    if (domains) await assertManagersStayInternal(tx, input.workspaceId, domains);
    const after = await queryOne(tx, 
      `UPDATE workspaces AS w SET name = COALESCE($2, name), internal_domains = COALESCE($3, internal_domains) WHERE id = $1 RETURNING ${COLUMNS}`,
      [input.workspaceId, name, domains],
    );
    await audit(tx, {
      workspaceId: input.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'updateWorkspace',
      targetType: 'Workspace',
      targetId: input.workspaceId,
      details: { from: { name: before.name, internalDomains: before.internalDomains }, to: { name: after.name, internalDomains: after.internalDomains } },
    });
    return after as WorkspaceRow;
  });
  const membership = await ctx.access.joined(input.workspaceId);
  return asWorkspace(row, membership!.role);
}

/**
 * Group managers must be internal: a change of domains that would leave one external is
 * refused (INVARIANT, naming them). Adding a manager reads the workspace row FOR SHARE, and
 * this runs under its FOR UPDATE, so the two cannot race.
 */
async function assertManagersStayInternal(tx: EntityManager, workspaceId: string, domains: string[]): Promise<void> {
  const stranded = await queryRows<{ email: string }>(
    tx,
    `SELECT DISTINCT u.email FROM group_managers gm
       JOIN groups g ON g.id = gm.group_id
       JOIN users u ON u.id = gm.user_id
      WHERE g.workspace_id = $1 AND NOT (split_part(lower(u.email), '@', 2) = ANY($2::text[]))
      ORDER BY u.email`,
    [workspaceId, domains],
  );
  if (stranded.length > 0) {
    throw invariant(`These group managers would no longer be internal: ${stranded.map((r) => r.email).join(', ')}. Remove them as managers first.`);
  }
}
