import { WS_ROLES, type GroupTie, type PersonSpec, type ResourceTie, type ResRole, type ResType, type Subject, type Viewer, type ViewerStatus } from './scenario';

/** The dimensions every kind of case is crossed with: who asks, how they are tied to resources and groups, whom they name. */

const STATUSES: ViewerStatus[] = ['JOINED', 'INVITED', 'DECLINED', 'NONE', 'REMOVED'];
/** No token, then every workspace role in every status of the viewer's membership. */
export const VIEWERS: Array<Viewer | null> = [null, ...WS_ROLES.flatMap((role) => STATUSES.map((status) => ({ role, status })))];

export const FITS: Record<ResType, ResRole[]> = {
  PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'],
  DATASET: ['ADMIN', 'USER'],
  ONTOLOGY: ['ADMIN', 'USER'],
};
/** The lowest role a resource of this type takes. */
export const lowRole = (type: ResType): ResRole => FITS[type][FITS[type].length - 1];

export const NO_TIE: ResourceTie = { direct: null, groups: [], managedGroup: null };
export const NO_GROUP_TIE: GroupTie = { member: false, manager: false, creator: false };

/** Every way to hold (or not) a role on a resource of a type: direct, through a group, both, ties of equal rank, managing only. */
export function resourceTies(type: ResType): ResourceTie[] {
  const out: ResourceTie[] = [NO_TIE];
  for (const role of FITS[type]) {
    out.push({ direct: role, groups: [], managedGroup: null }, { direct: null, groups: [role], managedGroup: null });
  }
  out.push({ direct: null, groups: [], managedGroup: 'ADMIN' });
  if (type === 'PROJECT') {
    out.push(
      { direct: 'REVIEWER', groups: ['ANNOTATOR'], managedGroup: null },
      { direct: 'ANNOTATOR', groups: ['REVIEWER'], managedGroup: null },
      { direct: null, groups: ['REVIEWER', 'ANNOTATOR'], managedGroup: null },
      { direct: 'REVIEWER', groups: ['TEAM_MANAGER'], managedGroup: 'ADMIN' },
      { direct: 'TEAM_MANAGER', groups: ['ADMIN'], managedGroup: null },
    );
  } else {
    out.push({ direct: 'USER', groups: ['ADMIN'], managedGroup: null }, { direct: 'ADMIN', groups: ['USER'], managedGroup: null });
  }
  return out;
}

/** Member or not, manager or not, creator or not. */
export const GROUP_TIES: GroupTie[] = [false, true].flatMap((member) =>
  [false, true].flatMap((manager) => [false, true].map((creator) => ({ member, manager, creator }))),
);

export const subject = (over: Partial<Subject>): Subject => ({
  self: false,
  role: 'MEMBER',
  status: 'JOINED',
  place: 'here',
  internal: true,
  directRole: null,
  ...over,
});

/** The people an operation may act on: themselves, each role in each status, removed, of another workspace, nobody. */
export const SUBJECTS: Subject[] = [
  subject({ self: true }),
  ...WS_ROLES.flatMap((role) => (['JOINED', 'INVITED', 'DECLINED', 'REMOVED'] as const).map((status) => subject({ role, status }))),
  subject({ place: 'elsewhere' }),
  subject({ place: 'nowhere' }),
];

export const person = (over: Partial<PersonSpec> = {}): PersonSpec => ({ role: 'MEMBER', status: 'JOINED', internal: true, place: 'here', ...over });
export const SELF: PersonSpec = { self: true, role: 'MEMBER', status: 'JOINED', internal: true, place: 'here' };
/** Everyone else of the workspace: each role in each status. */
export const OTHERS: PersonSpec[] = WS_ROLES.flatMap((role) => (['JOINED', 'INVITED', 'DECLINED', 'REMOVED'] as const).map((status) => person({ role, status })));

/** The viewer's own role and status fill in a `self` subject. */
export function selfSubject(s: Subject, viewer: Viewer | null): Subject {
  if (!s.self || !viewer) return s;
  return { ...s, role: viewer.role, status: viewer.status === 'NONE' ? 'JOINED' : viewer.status, place: viewer.status === 'NONE' ? 'nowhere' : 'here' };
}

/** A short label of a viewer. */
export const viewerLabel = (v: Viewer | null) => (v ? `${v.role}/${v.status}` : 'anonymous');
