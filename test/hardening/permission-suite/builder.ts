import type { GroupTie, JobSpec, JobStatus, JobType, PersonSpec, Place, ResourceTie, ResType, Subject, Viewer } from './scenario';
import { NO_TIE } from './dimensions';
import { emptyWorld, type World } from './world';

/**
 * The rows of one case, by symbolic keys. Workspace A is the one the case is about (its owner,
 * `owner`, is a JOINED ADMIN there); B is one the viewer is not in ("elsewhere"); an object
 * "nowhere" gets no row at all (its key still gets an id, one that names nothing).
 */
export class Builder {
  readonly w: World = emptyWorld();
  private hasB = false;

  constructor(readonly viewer: Viewer | null) {
    this.w.workspaces.push({ key: 'A', domain: 'a.test' });
    this.user('owner', 'a.test');
    this.w.memberships.push({ ws: 'A', user: 'owner', role: 'ADMIN', status: 'JOINED' });
    const v = viewer;
    if (v) {
      this.user('viewer', 'a.test');
      if (v.status === 'NONE') {
        // Not a member here, but `role` in a workspace of their own.
        this.w.workspaces.push({ key: 'Z', domain: 'z.test' });
        this.w.memberships.push({ ws: 'Z', user: 'viewer', role: v.role, status: 'JOINED' });
      } else {
        this.w.memberships.push({
          ws: 'A',
          user: 'viewer',
          role: v.role,
          status: v.status === 'REMOVED' ? 'JOINED' : v.status,
          removed: v.status === 'REMOVED',
        });
      }
    }
  }

  user(key: string, domain: string): void {
    if (!this.w.users.some((u) => u.key === key)) this.w.users.push({ key, domain });
  }

  /** The workspace an object of this place lives in; null for nowhere. */
  wsOf(place: Place): string | null {
    if (place === 'nowhere') return null;
    if (place === 'here') return 'A';
    if (!this.hasB) {
      this.hasB = true;
      this.w.workspaces.push({ key: 'B', domain: 'b.test' });
      this.user('ownerB', 'b.test');
      this.w.memberships.push({ ws: 'B', user: 'ownerB', role: 'ADMIN', status: 'JOINED' });
    }
    return 'B';
  }

  ownerOf(ws: string): string {
    return ws === 'B' ? 'ownerB' : 'owner';
  }

  /**
   * A resource with its owner as direct ADMIN (so it never lacks one; `owner: false` leaves
   * that to the case), and the viewer's ties to it: groups `<key>-g<i>` they are a member of,
   * `<key>-gm` one they only manage.
   */
  resource(key: string, place: Place, type: ResType, tie: ResourceTie = NO_TIE, options: { owner?: boolean } = {}): void {
    const ws = this.wsOf(place);
    if (!ws) return;
    this.w.resources.push({ key, ws, type });
    if (options.owner !== false) this.w.userRoles.push({ res: key, user: this.ownerOf(ws), role: 'ADMIN' });
    if (!this.viewer) return;
    if (tie.direct) this.w.userRoles.push({ res: key, user: 'viewer', role: tie.direct });
    tie.groups.forEach((role, i) => {
      const g = `${key}-g${i}`;
      this.w.groups.push({ key: g, ws, createdBy: this.ownerOf(ws) });
      this.w.groupMembers.push({ group: g, user: 'viewer' });
      this.w.groupRoles.push({ res: key, group: g, role });
    });
    if (tie.managedGroup) {
      const g = `${key}-gm`;
      this.w.groups.push({ key: g, ws, createdBy: this.ownerOf(ws) });
      this.w.groupManagers.push({ group: g, user: 'viewer' });
      this.w.groupRoles.push({ res: key, group: g, role: tie.managedGroup });
    }
  }

  /** A group the viewer is tied to as `tie` says (made by the owner unless the viewer made it), with these other members and managers. */
  group(key: string, place: Place, tie: GroupTie, people: { members?: string[]; managers?: string[] } = {}): void {
    const ws = this.wsOf(place);
    if (!ws) return;
    const viewer = this.viewer ? 'viewer' : null;
    this.w.groups.push({ key, ws, createdBy: tie.creator && viewer ? viewer : this.ownerOf(ws) });
    if (viewer && tie.member) this.w.groupMembers.push({ group: key, user: viewer });
    if (viewer && tie.manager) this.w.groupManagers.push({ group: key, user: viewer });
    for (const user of people.members ?? []) if (user !== 'viewer') this.w.groupMembers.push({ group: key, user });
    for (const user of people.managers ?? []) if (user !== 'viewer') this.w.groupManagers.push({ group: key, user });
  }

  /** The subject's user key (the viewer's own for `self`), with their membership and direct role on `resource`. */
  subject(sub: Subject, resource?: string): string {
    if (sub.self) return 'viewer';
    const key = this.person('subject', sub);
    if (resource && sub.directRole && sub.place === 'here') this.w.userRoles.push({ res: resource, user: key, role: sub.directRole });
    return key;
  }

  /** A person under `key` (the viewer for `self`): their user row and membership where they live. */
  person(key: string, spec: PersonSpec): string {
    if (spec.self) return 'viewer';
    const ws = this.wsOf(spec.place);
    if (!ws) return key; // an id of no one
    this.user(key, ws === 'B' ? 'b.test' : spec.internal ? 'a.test' : 'ext.test');
    this.w.memberships.push({
      ws,
      user: key,
      role: spec.role,
      status: spec.status === 'REMOVED' ? 'JOINED' : spec.status,
      removed: spec.status === 'REMOVED',
    });
    return key;
  }

  job(key: string, place: Place, type: JobType, byViewer: boolean, tie: ResourceTie, status: JobStatus): void {
    this.jobOf(key, { type, byViewer, status, resource: tie, place });
  }

  /** A job `key` on resource `<key>-R` (its dataset or project), started by the viewer or by `starter` (else the owner). */
  jobOf(key: string, spec: JobSpec, retryOf?: string): void {
    this.resource(`${key}-R`, spec.place, spec.type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT', spec.resource);
    const ws = this.wsOf(spec.place);
    if (!ws) return;
    let user = this.ownerOf(ws);
    if (spec.byViewer && this.viewer) user = 'viewer';
    else if (!spec.byViewer && spec.starter && ws === 'A') user = this.person(`${key}-starter`, spec.starter);
    this.w.jobs.push({ key, ws, type: spec.type, status: spec.status, user, res: `${key}-R`, ...(retryOf ? { retryOf } : {}) });
  }
}
