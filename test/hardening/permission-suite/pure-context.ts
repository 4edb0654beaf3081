import type { GroupFacts, Membership, ResourceFacts } from '../../../src/authorization/access';
import { effectiveRole } from '../../../src/authorization/roles';
import type { Context } from '../../../src/server/context';
import type { Ids, World } from './world';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A request Context over one scenario's rows held in memory, for running the guard's
 * `authorize` (targets + membership check + the rule) without a database: `access` answers
 * what src/authorization/access.ts loads, and `db.query` answers the few lookups the targets
 * (src/authorization/targets.ts) make. A lookup it does not know fails the test loudly.
 */
export function pureContext(world: World, ids: Ids, viewerKey: string | null): Context {
  const uid = (key: string) => ids.id(key);
  const viewerId = viewerKey ? uid(viewerKey) : null;
  const byId = <T extends { key: string }>(rows: T[]) => new Map(rows.map((r) => [uid(r.key), r]));
  const resources = byId(world.resources);
  const groups = byId(world.groups);
  const liveMembership = (wsId: string, userId: string) =>
    world.memberships.find((m) => uid(m.ws) === wsId && uid(m.user) === userId && !m.removed) ?? null;

  const access = {
    get userId() {
      return viewerId;
    },
    async membership(workspaceId: string): Promise<Membership | null> {
      if (!viewerId || !UUID.test(workspaceId)) return null;
      const m = liveMembership(workspaceId, viewerId);
      return m ? { workspaceId, userId: viewerId, role: m.role, status: m.status, workspace: { id: workspaceId, name: 'Workspace', internalDomains: [], createdAt: new Date(0) } } : null;
    },
    async joined(workspaceId: string): Promise<Membership | null> {
      const m = await access.membership(workspaceId);
      return m && m.status === 'JOINED' ? m : null;
    },
    async resource(id: string): Promise<ResourceFacts | null> {
      const r = viewerId && UUID.test(id) ? resources.get(id) : undefined;
      if (!r) return null;
      const direct = world.userRoles.find((g) => g.res === r.key && uid(g.user) === viewerId)?.role ?? null;
      const viaGroups = world.groupRoles
        .filter((g) => g.res === r.key && world.groupMembers.some((m) => m.group === g.group && uid(m.user) === viewerId))
        .map((g) => g.role);
      return { id, workspaceId: uid(r.ws), type: r.type, directRole: direct, viewerRole: effectiveRole(direct, viaGroups) };
    },
    async group(id: string): Promise<GroupFacts | null> {
      const g = viewerId && UUID.test(id) ? groups.get(id) : undefined;
      if (!g) return null;
      return {
        id,
        workspaceId: uid(g.ws),
        createdBy: uid(g.createdBy),
        viewerIsMember: world.groupMembers.some((m) => m.group === g.key && uid(m.user) === viewerId),
        viewerIsManager: world.groupManagers.some((m) => m.group === g.key && uid(m.user) === viewerId),
      };
    },
    clear() {},
  };

  const find = <T extends { key: string }>(rows: T[], id: unknown) => rows.find((r) => uid(r.key) === id);
  const lookups: Array<[RegExp, (p: any[]) => unknown[]]> = [
    [
      /FROM memberships WHERE workspace_id = \$1 AND user_id = \$2 AND removed_at IS NULL/,
      ([ws, user]) => {
        const m = liveMembership(ws, user);
        return m ? [{ role: m.role, status: m.status }] : [];
      },
    ],
    [
      /FROM resource_user_roles WHERE user_id = \$1 AND resource_id = ANY\(\$2::uuid\[\]\)/,
      ([user, resIds]) =>
        world.userRoles.filter((g) => uid(g.user) === user && resIds.includes(uid(g.res))).map((g) => ({ resourceId: uid(g.res), role: g.role })),
    ],
    [/FROM project_tags WHERE id = \$1/, ([id]) => (find(world.projectTags, id) ? [{ workspaceId: uid(find(world.projectTags, id)!.ws) }] : [])],
    [
      /FROM issue_tags WHERE id = \$1/,
      ([id]) => {
        const t = find(world.issueTags, id);
        return t ? [{ workspaceId: uid(t.ws), projectId: t.project ? uid(t.project) : null }] : [];
      },
    ],
    [/FROM issues WHERE id = \$1/, ([id]) => (find(world.issues, id) ? [{ projectId: uid(find(world.issues, id)!.project) }] : [])],
    [
      /FROM jobs WHERE id = \$1/,
      ([id]) => {
        const j = find(world.jobs, id);
        return j ? [{ workspaceId: uid(j.ws), startedBy: uid(j.user), type: j.type, status: j.status, resourceId: uid(j.res) }] : [];
      },
    ],
    [
      /FROM api_keys WHERE id = \$1 AND revoked_at IS NULL/,
      ([id]) => {
        const k = find(world.apiKeys, id);
        return k ? [{ workspaceId: uid(k.ws), ownerId: uid(k.user) }] : [];
      },
    ],
  ];
  const db = {
    async query(sql: string, params: unknown[] = []) {
      const flat = sql.replace(/\s+/g, ' ');
      const hit = lookups.find(([pattern]) => pattern.test(flat));
      if (!hit) throw new Error(`pure context: a target made a lookup the suite does not know: ${flat}`);
      return hit[1](params as any[]);
    },
  };

  return {
    requestId: 'pure',
    viewer: viewerId ? { userId: viewerId, email: ids.email(viewerKey!), name: null } : null,
    access,
    db,
    loaders: new Map(),
  } as unknown as Context;
}
