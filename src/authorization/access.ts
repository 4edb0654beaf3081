import DataLoader from 'dataloader';
import type { Queryable } from '../database/sql';
import type { Viewer as RequestViewer } from '../server/context';
import type { Viewer } from './conditions';
import * as facts from './facts.data';
import type { GroupFacts, JobFacts, Membership, PersonFacts, ResourceFacts } from './facts.data';
import { effectiveRole } from './roles';

export type { GroupFacts, JobFacts, Membership, PersonFacts, ResourceFacts };

/**
 * What the viewer is and what the objects a request names are, as the rules read them: loaded
 * once per request and batched, so that a check on a list item is a lookup. In a mutation's
 * transaction a second Access reads through the transaction and locks what it reads
 * (`locking`): the rule is then checked again against rows that cannot change before commit.
 */
export class Access {
  private readonly memberships = new DataLoader<string, Membership | null>((ids) => this.loadMemberships(ids));
  private readonly resources = new DataLoader<string, ResourceFacts | null>((ids) => this.loadResources(ids));
  private readonly groups = new DataLoader<string, GroupFacts | null>((ids) => this.loadGroups(ids));
  private readonly people = new DataLoader<string, PersonFacts | null>((keys) => this.loadPeople(keys));
  private readonly jobs = new DataLoader<string, JobFacts | null>(async (ids) => {
    const byId = new Map((await facts.jobs(this.db, ids)).map((j) => [j.id, j]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  constructor(
    private readonly viewer: RequestViewer | null,
    /** Where the facts are read: the DataSource, or a mutation's transaction. */
    readonly db: Queryable,
    private readonly options: { locking?: boolean } = {},
  ) {}

  get userId(): string | null {
    return this.viewer?.userId ?? null;
  }

  /** The viewer's membership of a workspace in any status but REMOVED; null if none (or another key's workspace). */
  membership(workspaceId: string): Promise<Membership | null> {
    if (!this.viewer || !isUuid(workspaceId)) return Promise.resolve(null);
    const key = this.viewer.apiKey;
    const id = workspaceId.toLowerCase();
    if (key && key.workspaceId !== id) return Promise.resolve(null);
    return this.memberships.load(id);
  }

  /** The membership only when JOINED: nothing else of a workspace exists for the viewer. */
  async joined(workspaceId: string): Promise<Membership | null> {
    const m = await this.membership(workspaceId);
    return m && m.status === 'JOINED' ? m : null;
  }

  /** The viewer as scopes and rules see them in a workspace they have JOINED; null otherwise. */
  async actor(workspaceId: string): Promise<Viewer | null> {
    const m = await this.joined(workspaceId);
    return m ? { userId: m.userId, role: m.role } : null;
  }

  /** Seeds the viewer's membership as read at sign-in in this request (an API key's check reads it). */
  primeMembership(m: Membership): void {
    if (m.userId === this.userId) this.memberships.prime(m.workspaceId, m);
  }

  resource(id: string): Promise<ResourceFacts | null> {
    if (!this.viewer || !isUuid(id)) return Promise.resolve(null);
    return this.resources.load(id.toLowerCase());
  }

  group(id: string): Promise<GroupFacts | null> {
    if (!this.viewer || !isUuid(id)) return Promise.resolve(null);
    return this.groups.load(id.toLowerCase());
  }

  /** A person of a workspace, in any status (REMOVED included); null for an id of no one there. */
  person(workspaceId: string, userId: unknown): Promise<PersonFacts | null> {
    if (!isUuid(workspaceId) || !isUuid(userId)) return Promise.resolve(null);
    return this.people.load(`${workspaceId.toLowerCase()}:${userId.toLowerCase()}`);
  }

  /** Seeds a person already read (a page of people): their capabilities then cost no query. */
  primePerson(p: PersonFacts): void {
    this.people.prime(`${p.workspaceId}:${p.userId}`, p);
  }

  directRoles(userId: string, resourceIds: readonly string[]) {
    return facts.directRoles(this.db, userId, resourceIds);
  }

  /** Who is in a group now (ids of members and managers). */
  groupPeople(groupId: string) {
    return facts.groupPeople(this.db, groupId);
  }

  job(id: string): Promise<JobFacts | null> {
    return isUuid(id) ? this.jobs.load(id.toLowerCase()) : Promise.resolve(null);
  }

  /** Seeds a job already read (a page of jobs): their capabilities then cost no query. */
  primeJob(j: JobFacts): void {
    this.jobs.prime(j.id, j);
  }

  apiKey(id: string) {
    return isUuid(id) ? facts.apiKey(this.db, id) : Promise.resolve(null);
  }

  webhook(id: string) {
    return isUuid(id) ? facts.webhook(this.db, id) : Promise.resolve(null);
  }

  projectTag(id: string) {
    return isUuid(id) ? facts.projectTag(this.db, id) : Promise.resolve(null);
  }

  issueTag(id: string) {
    return isUuid(id) ? facts.issueTag(this.db, id) : Promise.resolve(null);
  }

  issue(id: string) {
    return isUuid(id) ? facts.issue(this.db, id) : Promise.resolve(null);
  }

  /** Forget what was loaded (after a mutation changed it). */
  clear(): void {
    this.memberships.clearAll();
    this.resources.clearAll();
    this.groups.clearAll();
    this.people.clearAll();
    this.jobs.clearAll();
  }

  private async loadMemberships(workspaceIds: readonly string[]): Promise<(Membership | null)[]> {
    // A WebSocket authenticated once with an API key lives on: the key must still be live for each operation.
    const rows = await facts.memberships(this.db, this.userId!, workspaceIds, this.viewer?.apiKey?.id ?? null, { lock: this.options.locking });
    const byId = new Map(rows.map((m) => [m.workspaceId, m]));
    return workspaceIds.map((id) => byId.get(id) ?? null);
  }

  private async loadResources(ids: readonly string[]): Promise<(ResourceFacts | null)[]> {
    const rows = await facts.resources(this.db, this.userId!, ids, { lock: this.options.locking });
    const byId = new Map(
      rows.map(({ groupRoles, ...r }) => [r.id, { ...r, viewerRole: effectiveRole(r.directRole, groupRoles ?? []) }]),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async loadGroups(ids: readonly string[]): Promise<(GroupFacts | null)[]> {
    const rows = await facts.groups(this.db, this.userId!, ids, { lock: this.options.locking });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async loadPeople(keys: readonly string[]): Promise<(PersonFacts | null)[]> {
    const byWorkspace = new Map<string, string[]>();
    for (const key of keys) {
      const [ws, user] = key.split(':');
      byWorkspace.set(ws, [...(byWorkspace.get(ws) ?? []), user]);
    }
    const found = new Map<string, PersonFacts>();
    for (const [ws, users] of byWorkspace) {
      for (const p of await facts.people(this.db, ws, users)) found.set(`${p.workspaceId}:${p.userId}`, p);
    }
    return keys.map((k) => found.get(k) ?? null);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs; anything else names nothing (and must not reach a uuid cast in SQL). */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
