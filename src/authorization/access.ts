import DataLoader from 'dataloader';
import type { Context } from '../server/context';
import type { InvitationStatus, WorkspaceRole } from '../modules/users/membership.entity';
import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import { effectiveRole } from './roles';

export interface Membership {
  workspaceId: string;
  userId: string;
  role: WorkspaceRole;
  status: InvitationStatus;
  /** The workspace itself, read in the same statement: `workspace(id)` then costs no other query. */
  workspace: { id: string; name: string; internalDomains: string[]; createdAt: Date };
}

export interface ResourceFacts {
  id: string;
  workspaceId: string;
  type: ResourceType;
  /** The viewer's direct role, and effective role (direct or through a group they are a member of). */
  directRole: ResourceRole | null;
  viewerRole: ResourceRole | null;
}

export interface GroupFacts {
  id: string;
  workspaceId: string;
  createdBy: string | null;
  viewerIsMember: boolean;
  viewerIsManager: boolean;
}

/**
 * What the viewer is, loaded once per request and batched: their membership of each workspace,
 * their role on each resource, their relation to each group. Every rule check is a lookup here.
 */
export class Access {
  private readonly memberships: DataLoader<string, Membership | null>;
  private readonly resources: DataLoader<string, ResourceFacts | null>;
  private readonly groups: DataLoader<string, GroupFacts | null>;

  constructor(private readonly ctx: Context) {
    this.memberships = new DataLoader((ids) => this.loadMemberships(ids));
    this.resources = new DataLoader((ids) => this.loadResources(ids));
    this.groups = new DataLoader((ids) => this.loadGroups(ids));
  }

  get userId(): string | null {
    return this.ctx.viewer?.userId ?? null;
  }

  /** The viewer's membership of a workspace in any status; null if none (or removed, or another key's workspace). */
  membership(workspaceId: string): Promise<Membership | null> {
    if (!this.ctx.viewer || !isUuid(workspaceId)) return Promise.resolve(null);
    const key = this.ctx.viewer.apiKey;
    if (key && key.workspaceId !== workspaceId) return Promise.resolve(null);
    return this.memberships.load(workspaceId);
  }

  /** The membership only when JOINED: nothing else of a workspace exists for the viewer. */
  async joined(workspaceId: string): Promise<Membership | null> {
    const m = await this.membership(workspaceId);
    return m && m.status === 'JOINED' ? m : null;
  }

  resource(id: string): Promise<ResourceFacts | null> {
    if (!this.ctx.viewer || !isUuid(id)) return Promise.resolve(null);
    return this.resources.load(id);
  }

  group(id: string): Promise<GroupFacts | null> {
    if (!this.ctx.viewer || !isUuid(id)) return Promise.resolve(null);
    return this.groups.load(id);
  }

  /** Forget what was loaded (after a mutation changed it, before its result is resolved). */
  clear(): void {
    this.memberships.clearAll();
    this.resources.clearAll();
    this.groups.clearAll();
  }

  private async loadMemberships(workspaceIds: readonly string[]): Promise<(Membership | null)[]> {
    // A WebSocket authenticated once with an API key lives on: the key must still be live for
    // each operation (revoked at once means at once, on open sockets too).
    const rows: Array<Omit<Membership, 'workspace'> & { name: string; internalDomains: string[]; createdAt: Date }> = await this.ctx.db.query(
      `SELECT m.workspace_id AS "workspaceId", m.user_id AS "userId", m.role, m.status,
              w.name, w.internal_domains AS "internalDomains", w.created_at AS "createdAt"
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
        WHERE m.user_id = $1 AND m.workspace_id = ANY($2::uuid[]) AND m.removed_at IS NULL
          AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM api_keys k WHERE k.id = $3::uuid AND k.revoked_at IS NULL))`,
      [this.userId, workspaceIds, this.ctx.viewer?.apiKey?.id ?? null],
    );
    const byId = new Map<string, Membership>(
      rows.map(({ name, internalDomains, createdAt, ...m }) => [m.workspaceId, { ...m, workspace: { id: m.workspaceId, name, internalDomains, createdAt } }]),
    );
    return workspaceIds.map((id) => byId.get(id) ?? null);
  }

  private async loadResources(ids: readonly string[]): Promise<(ResourceFacts | null)[]> {
    const rows: Array<{ id: string; workspaceId: string; type: ResourceType; directRole: ResourceRole | null; groupRoles: ResourceRole[] | null }> =
      await this.ctx.db.query(
        `SELECT r.id, r.workspace_id AS "workspaceId", r.type,
                (SELECT ur.role FROM resource_user_roles ur WHERE ur.resource_id = r.id AND ur.user_id = $1) AS "directRole",
                (SELECT array_agg(gr.role) FROM resource_group_roles gr
                   JOIN group_members gm ON gm.group_id = gr.group_id AND gm.user_id = $1
                  WHERE gr.resource_id = r.id) AS "groupRoles"
           FROM resources r
          WHERE r.id = ANY($2::uuid[])`,
        [this.userId, ids],
      );
    const byId = new Map(
      rows.map((r) => [
        r.id,
        { id: r.id, workspaceId: r.workspaceId, type: r.type, directRole: r.directRole, viewerRole: effectiveRole(r.directRole, r.groupRoles ?? []) },
      ]),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async loadGroups(ids: readonly string[]): Promise<(GroupFacts | null)[]> {
    const rows: GroupFacts[] = await this.ctx.db.query(
      `SELECT g.id, g.workspace_id AS "workspaceId", g.created_by AS "createdBy",
              EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1) AS "viewerIsMember",
              EXISTS (SELECT 1 FROM group_managers m WHERE m.group_id = g.id AND m.user_id = $1) AS "viewerIsManager"
         FROM groups g
        WHERE g.id = ANY($2::uuid[])`,
      [this.userId, ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs; anything else names nothing (and must not reach a uuid cast in SQL). */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
