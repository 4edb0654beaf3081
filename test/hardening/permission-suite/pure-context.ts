import type { Access, GroupFacts, JobFacts, Membership, PersonFacts, ResourceFacts } from '../../../src/authorization/access';
import { effectiveRole } from '../../../src/authorization/roles';
import type { Context } from '../../../src/server/context';
import type { ResRole } from './scenario';
import type { Ids, World } from './world';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Access's public face (its private loaders are its own business): what the targets, rules and capabilities read. */
export type AccessApi = Pick<Access, keyof Access>;

/**
 * A request Context over one case's rows held in memory, for running the guard's `authorize`,
 * the scopes and the capability functions without a database: `access` answers what
 * src/authorization/access.ts loads, from the rows. The one statement a target runs itself
 * (`soleAdminOf`, through `access.db`) is answered too; any other fails the test loudly.
 */
export function pureContext(world: World, ids: Ids, viewerKey: string | null): Context {
  const uid = (key: string) => ids.id(key);
  const viewerId = viewerKey ? uid(viewerKey) : null;
  const byId = <T extends { key: string }>(rows: T[]) => new Map(rows.map((r) => [uid(r.key), r]));
  const resources = byId(world.resources);
  const groups = byId(world.groups);
  const jobs = byId(world.jobs);
  const apiKeys = byId(world.apiKeys);
  const projectTags = byId(world.projectTags);
  const webhooks = byId(world.webhooks);
  const issueTags = byId(world.issueTags);
  const issues = byId(world.issues);
  const users = byId(world.users);
  const domainOf = new Map(world.workspaces.map((w) => [w.key, w.domain]));
  const statusOf = (m: World['memberships'][number]) => (m.removed ? 'REMOVED' : m.status);
  const membershipOf = (wsKey: string, userKey: string) => world.memberships.find((m) => m.ws === wsKey && m.user === userKey);
  const viewerKeyOrNull = viewerKey;
  const wsKeyOf = (id: string) => {
    const k = world.workspaces.find((w) => uid(w.key) === id)?.key;
    return k ?? null;
  };
  const memberOf = (groupKey: string, userKey: string) => world.groupMembers.some((m) => m.group === groupKey && m.user === userKey);
  const managerOf = (groupKey: string, userKey: string) => world.groupManagers.some((m) => m.group === groupKey && m.user === userKey);
  const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);
  const norm = (id: string) => id.toLowerCase();

  const membership = async (workspaceId: string): Promise<Membership | null> => {
    if (!viewerKeyOrNull || !isUuid(workspaceId)) return null;
    const wsKey = wsKeyOf(norm(workspaceId));
    const m = wsKey ? membershipOf(wsKey, viewerKeyOrNull) : undefined;
    if (!m || m.removed) return null; // a REMOVED person has no membership
    const id = norm(workspaceId);
    return { workspaceId: id, userId: viewerId!, role: m.role, status: m.status, workspace: { id, name: `Workspace ${wsKey}`, internalDomains: [domainOf.get(wsKey!)!], createdAt: new Date(0) } };
  };

  const access: AccessApi = {
    db: {
      // The one statement a target runs itself: the resources of which people are the only direct ADMIN (facts.data.ts soleAdminOf).
      query: (async (sql: string, params: any[] = []) => {
        const flat = sql.replace(/\s+/g, ' ');
        if (/FROM resource_user_roles ur/.test(flat) && /ur\.role = 'ADMIN'/.test(flat)) {
          const [wsId, who] = params;
          const wanted = new Set((Array.isArray(who) ? who : [who]).map((x: string) => norm(x)));
          const wsKey = wsKeyOf(norm(wsId));
          return world.userRoles
            .filter((g) => g.role === 'ADMIN' && wanted.has(uid(g.user)) && resources.get(uid(g.res))?.ws === wsKey)
            .filter((g) =>
              !world.userRoles.some((o) => {
                const m = membershipOf(resources.get(uid(g.res))!.ws, o.user);
                return o.res === g.res && o.role === 'ADMIN' && o.user !== g.user && m !== undefined && !m.removed && (m.status === 'INVITED' || m.status === 'JOINED');
              }),
            )
            .map((g) => ({ userId: uid(g.user), id: uid(g.res) }))
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        }
        throw new Error(`pure context: a lookup the suite does not know: ${flat}`);
      }) as any,
    },
    get userId() {
      return viewerId;
    },
    membership,
    async joined(workspaceId: string) {
      const m = await membership(workspaceId);
      return m && m.status === 'JOINED' ? m : null;
    },
    async actor(workspaceId: string) {
      const m = await access.joined(workspaceId);
      return m ? { userId: m.userId, role: m.role } : null;
    },
    async resource(id: string): Promise<ResourceFacts | null> {
      const r = viewerKeyOrNull && isUuid(id) ? resources.get(norm(id)) : undefined;
      if (!r) return null;
      const direct = world.userRoles.find((g) => g.res === r.key && g.user === viewerKeyOrNull)?.role ?? null;
      const viaGroups = world.groupRoles.filter((g) => g.res === r.key && memberOf(g.group, viewerKeyOrNull!)).map((g) => g.role);
      return { id: norm(id), workspaceId: uid(r.ws), type: r.type, directRole: direct, viewerRole: effectiveRole(direct, viaGroups) };
    },
    async group(id: string): Promise<GroupFacts | null> {
      const g = viewerKeyOrNull && isUuid(id) ? groups.get(norm(id)) : undefined;
      if (!g) return null;
      return {
        id: norm(id),
        workspaceId: uid(g.ws),
        createdBy: uid(g.createdBy),
        viewerIsMember: memberOf(g.key, viewerKeyOrNull!),
        viewerIsManager: managerOf(g.key, viewerKeyOrNull!),
      };
    },
    async person(workspaceId: unknown, userId: unknown): Promise<PersonFacts | null> {
      if (!isUuid(workspaceId) || !isUuid(userId)) return null;
      const wsKey = wsKeyOf(norm(workspaceId));
      const userKey = users.get(norm(userId))?.key;
      const m = wsKey && userKey ? membershipOf(wsKey, userKey) : undefined;
      if (!m) return null;
      const user = world.users.find((u) => u.key === userKey)!;
      return {
        workspaceId: norm(workspaceId),
        userId: norm(userId),
        email: ids.email(user.key),
        role: m.role,
        status: statusOf(m),
        internal: user.domain === domainOf.get(wsKey!),
      };
    },
    primeMembership() {},
    primePerson() {},
    primeJob() {},
    async directRoles(userId: string, resourceIds: readonly string[]) {
      const wanted = new Set(resourceIds.map(norm));
      return new Map<string, ResRole>(
        world.userRoles.filter((g) => uid(g.user) === norm(userId) && wanted.has(uid(g.res))).map((g) => [uid(g.res), g.role] as [string, ResRole]),
      );
    },
    async groupPeople(groupId: string) {
      const g = groups.get(norm(groupId));
      if (!g) return { members: [], managers: [] };
      const live = (userKey: string) => {
        const m = membershipOf(g.ws, userKey);
        return m !== undefined && !m.removed;
      };
      return {
        members: world.groupMembers.filter((x) => x.group === g.key && live(x.user)).map((x) => uid(x.user)),
        managers: world.groupManagers.filter((x) => x.group === g.key && live(x.user)).map((x) => uid(x.user)),
      };
    },
    async job(id: string): Promise<JobFacts | null> {
      const j = isUuid(id) ? jobs.get(norm(id)) : undefined;
      if (!j) return null;
      const resourceThere = world.resources.some((r) => r.key === j.res);
      return { id: norm(id), workspaceId: uid(j.ws), startedBy: uid(j.user), type: j.type, status: j.status, resourceId: resourceThere ? uid(j.res) : null } as JobFacts;
    },
    async apiKey(id: string) {
      const k = isUuid(id) ? apiKeys.get(norm(id)) : undefined;
      return k ? { workspaceId: uid(k.ws), ownerId: uid(k.user) } : null;
    },
    async webhook(id: string) {
      const h = isUuid(id) ? webhooks.get(norm(id)) : undefined;
      return h ? { workspaceId: uid(h.ws) } : null;
    },
    async projectTag(id: string) {
      const t = isUuid(id) ? projectTags.get(norm(id)) : undefined;
      return t ? { workspaceId: uid(t.ws) } : null;
    },
    async issueTag(id: string) {
      const t = isUuid(id) ? issueTags.get(norm(id)) : undefined;
      return t ? { workspaceId: uid(t.ws), projectId: t.project ? uid(t.project) : null } : null;
    },
    async issue(id: string) {
      const i = isUuid(id) ? issues.get(norm(id)) : undefined;
      return i ? { projectId: uid(i.project) } : null;
    },
    clear() {},
  };

  return {
    requestId: 'pure',
    viewer: viewerId ? { userId: viewerId, email: ids.email(viewerKey!), name: null } : null,
    access,
    db: access.db,
    loaders: new Map(),
  } as unknown as Context;
}
