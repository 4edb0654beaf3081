import {
  JOB_TYPES,
  RES_TYPES,
  WS_ROLES,
  type GroupTie,
  type JobType,
  type Place,
  type ResourceTie,
  type ResRole,
  type ResType,
  type Scenario,
  type Subject,
  type Viewer,
  type ViewerStatus,
} from './scenario';
import { emptyWorld, type Ids, type World } from './world';

/**
 * The generator: for every operation of the schema, the scenarios (viewer x relation to the
 * objects named) and, for each, the rows it needs and the call that tries it, both as the
 * guard sees it (parent + args) and as a client sends it (a GraphQL document + variables).
 */

export interface Invocation {
  /** The parent object of a field of an object type (Workspace.users: the workspace). */
  parent?: Record<string, unknown>;
  args: Record<string, any>;
  query: string;
  variables: Record<string, unknown>;
  /** A response without errors: allowed, or NOT_FOUND when what it looked up is null / not listed. */
  read(data: any): 'allow' | 'NOT_FOUND';
  /** Subscriptions go over the WebSocket. */
  ws?: boolean;
}

export interface Case {
  n: number;
  scenario: Scenario;
  world: World;
  /** 'viewer', or null for a request without a token. */
  viewerKey: string | null;
  invoke(ids: Ids): Invocation;
}

// ---- Dimensions ------------------------------------------------------------------------------

const STATUSES: ViewerStatus[] = ['JOINED', 'INVITED', 'DECLINED', 'NONE', 'REMOVED'];
export const VIEWERS: Array<Viewer | null> = [null, ...WS_ROLES.flatMap((role) => STATUSES.map((status) => ({ role, status })))];

export const FITS: Record<ResType, ResRole[]> = {
  PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'],
  DATASET: ['ADMIN', 'USER'],
  ONTOLOGY: ['ADMIN', 'USER'],
};

const NO_TIE: ResourceTie = { direct: null, groups: [], managedGroup: null };

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

export const GROUP_TIES: GroupTie[] = [false, true].flatMap((member) =>
  [false, true].flatMap((manager) => [false, true].map((creator) => ({ member, manager, creator }))),
);
const NO_GROUP_TIE: GroupTie = { member: false, manager: false, creator: false };

const subject = (over: Partial<Subject>): Subject => ({
  self: false,
  role: 'MEMBER',
  status: 'JOINED',
  place: 'here',
  internal: true,
  directRole: null,
  ...over,
});

/** The people an operation may act on: themselves, each role in each status, removed, of another workspace, nobody. */
const SUBJECTS: Subject[] = [
  subject({ self: true }),
  ...WS_ROLES.flatMap((role) => (['JOINED', 'INVITED', 'DECLINED', 'REMOVED'] as const).map((status) => subject({ role, status }))),
  subject({ place: 'elsewhere' }),
  subject({ place: 'nowhere' }),
];

// ---- Building the rows ---------------------------------------------------------------------

/** Rows of one scenario. Workspace A is the one the operation is about; B is one the viewer is not in. */
class Builder {
  readonly w: World = emptyWorld();
  private hasB = false;

  constructor(readonly s: Scenario) {
    this.w.workspaces.push({ key: 'A', domain: 'a.test' });
    this.user('owner', 'a.test');
    this.w.memberships.push({ ws: 'A', user: 'owner', role: 'ADMIN', status: 'JOINED' });
    const v = s.viewer;
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

  /** A resource with its owner as direct ADMIN (so it never lacks one), and the viewer's ties to it. */
  resource(key: string, place: Place, type: ResType, tie: ResourceTie = NO_TIE): void {
    const ws = this.wsOf(place);
    if (!ws) return;
    this.w.resources.push({ key, ws, type });
    this.w.userRoles.push({ res: key, user: this.ownerOf(ws), role: 'ADMIN' });
    if (!this.s.viewer) return;
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

  group(key: string, place: Place, tie: GroupTie): void {
    const ws = this.wsOf(place);
    if (!ws) return;
    const viewer = this.s.viewer ? 'viewer' : null;
    this.w.groups.push({ key, ws, createdBy: tie.creator && viewer ? viewer : this.ownerOf(ws) });
    if (viewer && tie.member) this.w.groupMembers.push({ group: key, user: viewer });
    if (viewer && tie.manager) this.w.groupManagers.push({ group: key, user: viewer });
  }

  /** The subject's user key (the viewer's own for `self`), with their membership and direct role on `resource`. */
  subject(sub: Subject, resource?: string): string {
    if (sub.self) return 'viewer';
    const ws = this.wsOf(sub.place);
    if (!ws) return 'subject'; // an id of no one
    this.user('subject', ws === 'B' ? 'b.test' : sub.internal ? 'a.test' : 'ext.test');
    this.w.memberships.push({
      ws,
      user: 'subject',
      role: sub.role,
      status: sub.status === 'REMOVED' ? 'JOINED' : sub.status,
      removed: sub.status === 'REMOVED',
    });
    if (resource && sub.directRole && ws === 'A') this.w.userRoles.push({ res: resource, user: 'subject', role: sub.directRole });
    return 'subject';
  }

  job(key: string, place: Place, type: JobType, byViewer: boolean, tie: ResourceTie, status: 'PROCESSING' | 'ERROR'): void {
    this.resource(`${key}-R`, place, type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT', tie);
    const ws = this.wsOf(place);
    if (!ws) return;
    const user = byViewer && this.s.viewer ? 'viewer' : this.ownerOf(ws);
    this.w.jobs.push({ key, ws, type, status, user, res: `${key}-R` });
  }
}

// ---- Reading answers -------------------------------------------------------------------------

const allowed = () => 'allow' as const;
const present = (get: (data: any) => unknown) => (data: any) => (get(data) != null ? ('allow' as const) : ('NOT_FOUND' as const));
const listed = (get: (data: any) => Array<{ id: string }> | undefined | null, id: string) => (data: any) =>
  get(data)?.some((x) => x.id === id) ? ('allow' as const) : ('NOT_FOUND' as const);
/** A field of the workspace: NOT_FOUND when the workspace itself is null. */
const inWorkspace = (read: (ws: any) => 'allow' | 'NOT_FOUND') => (data: any) => (data?.workspace ? read(data.workspace) : ('NOT_FOUND' as const));

const TYPE_NAME: Record<ResType, string> = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' };
const FIELD_ONE: Record<ResType, string> = { PROJECT: 'project', DATASET: 'dataset', ONTOLOGY: 'ontology' };
const FIELD_MANY: Record<ResType, string> = { PROJECT: 'projects', DATASET: 'datasets', ONTOLOGY: 'ontologies' };

/** A mutation `name(input: $input)` (or other args) selecting `selection`. */
function mutation(name: string, args: Record<string, any>, types: Record<string, string>, selection = ''): Omit<Invocation, 'read'> {
  const decl = Object.entries(types).map(([k, t]) => `$${k}: ${t}`).join(', ');
  const pass = Object.keys(types).map((k) => `${k}: $${k}`).join(', ');
  return { args, query: `mutation(${decl}) { ${name}(${pass})${selection ? ` { ${selection} }` : ''} }`, variables: args };
}
const withInput = (name: string, inputType: string, input: Record<string, unknown>, selection = '') =>
  ({ ...mutation(name, { input }, { input: `${inputType}!` }, selection), read: allowed }) as Invocation;
const withId = (name: string, argName: string, id: string, selection = '') =>
  ({ ...mutation(name, { [argName]: id }, { [argName]: 'ID!' }, selection), read: allowed }) as Invocation;

/** A field of workspace A: the guard sees the workspace as parent. */
function workspaceField(ids: Ids, field: string, args: Record<string, any>, argTypes: Record<string, string>, selection: string, read: (ws: any) => 'allow' | 'NOT_FOUND'): Invocation {
  const decl = Object.entries(argTypes).map(([k, t]) => `, $${k}: ${t}`).join('');
  const pass = Object.keys(argTypes).length ? `(${Object.keys(argTypes).map((k) => `${k}: $${k}`).join(', ')})` : '';
  return {
    parent: { id: ids.id('A') },
    args,
    query: `query($ws: ID!${decl}) { workspace(id: $ws) { ${field}${pass}${selection ? ` { ${selection} }` : ''} } }`,
    variables: { ws: ids.id('A'), ...args },
    read: inWorkspace(read),
  };
}

/** A field of an object reached through workspace A (`reach` is e.g. `project(id: $obj)`). */
function nestedField(ids: Ids, reach: string, objKey: string, field: string, selection: string): Invocation {
  return {
    parent: { id: ids.id(objKey) },
    args: {},
    query: `query($ws: ID!, $obj: ID!) { workspace(id: $ws) { ${reach}(id: $obj) { id ${field}${selection ? ` { ${selection} }` : ''} } } }`,
    variables: { ws: ids.id('A'), obj: ids.id(objKey) },
    read: inWorkspace((ws) => (ws[reach] ? 'allow' : 'NOT_FOUND')),
  };
}

// ---- The operations --------------------------------------------------------------------------

interface OpSpec {
  /** The relations tried (each is crossed with every viewer). */
  relations(): Array<Omit<Scenario, 'op' | 'viewer'>>;
  build(b: Builder, s: Scenario): void;
  invoke(s: Scenario, ids: Ids): Invocation;
}

const one = [{}];
const places = (extra: Omit<Scenario, 'op' | 'viewer'> = {}) => (['elsewhere', 'nowhere'] as const).map((place) => ({ ...extra, place }));
const nothing = () => undefined;

function resourceLookup(type: ResType): OpSpec {
  return {
    relations: () => [...resourceTies(type).map((resource) => ({ resource })), ...places({ resource: NO_TIE })],
    build: (b, s) => b.resource('R', s.place ?? 'here', type, s.resource),
    invoke: (_s, ids) => workspaceField(ids, FIELD_ONE[type], { id: ids.id('R') }, { id: 'ID!' }, 'id', present((ws) => ws[FIELD_ONE[type]])),
  };
}

function resourceList(type: ResType): OpSpec {
  return {
    relations: () => [...resourceTies(type).map((resource) => ({ resource })), ...(type === 'PROJECT' ? [{ resource: NO_TIE, tagFilter: true }] : [])],
    build: (b, s) => {
      b.resource('R', 'here', type, s.resource);
      if (s.tagFilter) b.w.projectTags.push({ key: 'T', ws: 'A' });
    },
    invoke: (s, ids) =>
      s.tagFilter
        ? workspaceField(ids, 'projects', { filter: { tagIds: [ids.id('T')] } }, { filter: 'ProjectFilter' }, 'totalCount', () => 'allow')
        : workspaceField(ids, FIELD_MANY[type], {}, {}, 'nodes { id }', listed((ws) => ws[FIELD_MANY[type]]?.nodes, ids.id('R'))),
  };
}

function resourceMembers(type: ResType): OpSpec {
  return {
    relations: () => resourceTies(type).map((resource) => ({ resource })),
    build: (b, s) => b.resource('R', 'here', type, s.resource),
    invoke: (_s, ids) => nestedField(ids, FIELD_ONE[type], 'R', 'members', 'role'),
  };
}

function createResource(type: ResType): OpSpec {
  return {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withInput(`create${TYPE_NAME[type]}`, 'CreateResourceInput', { workspaceId: ids.id('A'), name: 'New resource' }, 'id'),
  };
}

const groupPeople = (kind: 'Members' | 'Managers', adding: boolean): OpSpec => ({
  relations: () => [
    ...GROUP_TIES.flatMap((group) =>
      // "An INVITED user can be ... put in groups before they accept."
      (kind === 'Managers'
        ? [subject({}), subject({ status: 'INVITED' }), subject({ internal: false }), subject({ place: 'elsewhere' })]
        : [subject({}), subject({ status: 'INVITED' }), subject({ place: 'elsewhere' })]
      ).map(
        (sub) => ({ group, subject: sub }),
      ),
    ),
    ...places({ group: NO_GROUP_TIE, subject: subject({}) }),
  ],
  build: (b, s) => {
    b.group('G', s.place ?? 'here', s.group!);
    const who = b.subject(s.subject!);
    // Removing: the person is in the group now (when both are in the same workspace).
    if (!adding && s.subject!.place === 'here' && (s.place ?? 'here') === 'here') {
      (kind === 'Members' ? b.w.groupMembers : b.w.groupManagers).push({ group: 'G', user: who });
    }
  },
  invoke: (_s, ids) => withInput(`${adding ? 'add' : 'remove'}Group${kind}`, 'GroupUsersInput', { groupId: ids.id('G'), userIds: [ids.id('subject')] }, 'id'),
});

/** Started by the viewer or not, whatever role they hold on what the job works on (that role gives no say over the job). */
const jobTies = () => [true, false].flatMap((startedByViewer) => resourceTies('PROJECT').map((resource) => ({ startedByViewer, resource })));

const jobChange = (name: string): OpSpec => ({
  relations: () => [...jobTies(), ...places({ startedByViewer: true, resource: NO_TIE })],
  build: (b, s) => b.job('J', s.place ?? 'here', 'LABEL_IMPORT', s.startedByViewer!, s.resource!, 'PROCESSING'),
  invoke: (_s, ids) => {
    const jobId = ids.id('J');
    if (name === 'reportJobProgress') return withInput(name, 'JobProgressInput', { jobId, progress: 0.5 }, 'id');
    if (name === 'failJob') return withInput(name, 'FailJobInput', { jobId, errorMessage: 'It broke' }, 'id');
    return withId(name, 'jobId', jobId, 'id');
  },
});

const groupsLookup = (list: boolean): OpSpec => ({
  relations: () => [...GROUP_TIES.map((group) => ({ group })), ...(list ? [] : places({ group: NO_GROUP_TIE }))],
  build: (b, s) => b.group('G', s.place ?? 'here', s.group!),
  invoke: (_s, ids) =>
    list
      ? workspaceField(ids, 'groups', {}, {}, 'id', listed((ws) => ws.groups, ids.id('G')))
      : workspaceField(ids, 'group', { id: ids.id('G') }, { id: 'ID!' }, 'id', present((ws) => ws.group)),
});

const jobsLookup = (list: boolean): OpSpec => ({
  relations: () => [...jobTies(), ...(list ? [] : places({ startedByViewer: true, resource: NO_TIE }))],
  build: (b, s) => b.job('J', s.place ?? 'here', 'MODEL_TRAINING', s.startedByViewer!, s.resource!, 'PROCESSING'),
  invoke: (_s, ids) =>
    list
      ? workspaceField(ids, 'jobs', {}, {}, 'nodes { id }', listed((ws) => ws.jobs?.nodes, ids.id('J')))
      : workspaceField(ids, 'job', { id: ids.id('J') }, { id: 'ID!' }, 'id', present((ws) => ws.job)),
});

const assignments = (name: 'assignUser' | 'unassignUser' | 'assignGroup' | 'unassignGroup'): OpSpec => {
  const bulk = name === 'assignUser' || name === 'assignGroup';
  const toUser = name === 'assignUser' || name === 'unassignUser';
  return {
    relations: () => {
      const out: Array<Omit<Scenario, 'op' | 'viewer'>> = [];
      for (const resourceType of RES_TYPES) {
        const roles = bulk ? FITS[resourceType] : [undefined];
        const subjectRoles: Array<ResRole | null> = toUser ? [null, 'ADMIN', FITS[resourceType][1]] : [null];
        const seconds: Array<ResourceTie | undefined> = bulk ? [undefined, { ...NO_TIE, direct: 'ADMIN' }, NO_TIE] : [undefined];
        const groupTies: GroupTie[] = toUser ? [NO_GROUP_TIE] : [NO_GROUP_TIE, { ...NO_GROUP_TIE, member: true }];
        for (const resource of resourceTies(resourceType))
          for (const role of roles)
            for (const directRole of subjectRoles)
              for (const resource2 of seconds)
                for (const group of groupTies) {
                  out.push({
                    resourceType,
                    resource,
                    ...(role ? { role } : {}),
                    ...(resource2 ? { resource2 } : {}),
                    ...(toUser ? { subject: subject({ directRole }) } : { group, groupPlace: 'here' as Place }),
                  });
                }
        // The person or group named lives elsewhere, or is no one; the resource lives elsewhere, or is none.
        const role = bulk ? FITS[resourceType][FITS[resourceType].length - 1] : undefined;
        const base = { resourceType, resource: { ...NO_TIE, direct: 'ADMIN' as ResRole }, ...(role ? { role } : {}) };
        if (toUser) {
          for (const sub of [subject({ status: 'INVITED' }), subject({ status: 'REMOVED' }), subject({ place: 'elsewhere' }), subject({ place: 'nowhere' })]) {
            out.push({ ...base, subject: sub });
          }
          out.push(...places({ ...base, resource: NO_TIE, subject: subject({}) }));
        } else {
          for (const groupPlace of ['elsewhere', 'nowhere'] as const) out.push({ ...base, group: NO_GROUP_TIE, groupPlace });
          out.push(...places({ ...base, resource: NO_TIE, group: NO_GROUP_TIE, groupPlace: 'here' }));
        }
      }
      return out;
    },
    build: (b, s) => {
      b.resource('R', s.place ?? 'here', s.resourceType!, s.resource);
      if (s.resource2) b.resource('R2', 'here', s.resourceType!, s.resource2);
      if (toUser) b.subject(s.subject!, 'R');
      else b.group('G', s.groupPlace ?? 'here', s.group!);
    },
    invoke: (s, ids) => {
      const resourceIds = [ids.id('R'), ...(s.resource2 ? [ids.id('R2')] : [])];
      const type = s.resourceType!;
      switch (name) {
        case 'assignUser':
          return withInput(name, 'AssignUserInput', { workspaceId: ids.id('A'), userId: ids.id('subject'), resourceType: type, resourceIds, role: s.role }, 'role');
        case 'unassignUser':
          return withInput(name, 'UnassignUserInput', { workspaceId: ids.id('A'), userId: ids.id('subject'), resourceType: type, resourceId: resourceIds[0] });
        case 'assignGroup':
          return withInput(name, 'AssignGroupInput', { groupId: ids.id('G'), resourceType: type, resourceIds, role: s.role }, 'role');
        case 'unassignGroup':
          return withInput(name, 'UnassignGroupInput', { groupId: ids.id('G'), resourceType: type, resourceId: resourceIds[0] });
      }
    },
  };
};

const PROJECT_TIES = () => resourceTies('PROJECT');

export const OPERATIONS: Record<string, OpSpec> = {
  // ---- Query ---------------------------------------------------------------------------------
  'Query.viewer': {
    relations: () => one,
    build: nothing,
    invoke: () => ({ args: {}, query: `{ viewer { id } }`, variables: {}, read: allowed }),
  },
  'Query.workspace': {
    relations: () => [{ place: 'here' }, { place: 'nowhere' }],
    build: nothing,
    invoke: (s, ids) => {
      const id = s.place === 'nowhere' ? ids.id('no-workspace') : ids.id('A');
      return { args: { id }, query: `query($id: ID!) { workspace(id: $id) { id } }`, variables: { id }, read: present((d) => d.workspace) };
    },
  },

  // ---- Workspace fields ----------------------------------------------------------------------
  'Workspace.users': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => workspaceField(ids, 'users', {}, {}, 'totalCount', () => 'allow'),
  },
  'Workspace.user': {
    relations: () => SUBJECTS.map((sub) => ({ subject: sub })),
    build: (b, s) => void b.subject(s.subject!),
    invoke: (s, ids) => {
      const id = ids.id(s.subject!.self ? 'viewer' : 'subject');
      return workspaceField(ids, 'user', { id }, { id: 'ID!' }, 'id', present((ws) => ws.user));
    },
  },
  'Workspace.groups': groupsLookup(true),
  'Workspace.group': groupsLookup(false),
  'Workspace.projects': resourceList('PROJECT'),
  'Workspace.datasets': resourceList('DATASET'),
  'Workspace.ontologies': resourceList('ONTOLOGY'),
  'Workspace.project': resourceLookup('PROJECT'),
  'Workspace.dataset': resourceLookup('DATASET'),
  'Workspace.ontology': resourceLookup('ONTOLOGY'),
  'Workspace.projectTags': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => workspaceField(ids, 'projectTags', {}, {}, 'id', () => 'allow'),
  },
  'Workspace.issueTags': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => workspaceField(ids, 'issueTags', {}, {}, 'id', () => 'allow'),
  },
  'Workspace.jobs': jobsLookup(true),
  'Workspace.job': jobsLookup(false),
  'Workspace.apiKeys': {
    relations: () => [{ ownKey: true }, { ownKey: false }],
    build: (b, s) => b.w.apiKeys.push({ key: 'K', ws: 'A', user: s.ownKey && s.viewer ? 'viewer' : 'owner' }),
    invoke: (_s, ids) => workspaceField(ids, 'apiKeys', {}, {}, 'id', listed((ws) => ws.apiKeys, ids.id('K'))),
  },
  'Workspace.auditLog': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => workspaceField(ids, 'auditLog', {}, {}, 'totalCount', () => 'allow'),
  },

  // ---- Fields of resources and groups ----------------------------------------------------------
  'Project.members': resourceMembers('PROJECT'),
  'Dataset.members': resourceMembers('DATASET'),
  'Ontology.members': resourceMembers('ONTOLOGY'),
  'Project.tags': {
    relations: () => PROJECT_TIES().map((resource) => ({ resource })),
    build: (b, s) => b.resource('R', 'here', 'PROJECT', s.resource),
    invoke: (_s, ids) => nestedField(ids, 'project', 'R', 'tags', 'id'),
  },
  'Project.issues': {
    relations: () => PROJECT_TIES().map((resource) => ({ resource })),
    build: (b, s) => b.resource('R', 'here', 'PROJECT', s.resource),
    invoke: (_s, ids) => nestedField(ids, 'project', 'R', 'issues', 'id'),
  },
  'Project.issueTags': {
    relations: () => PROJECT_TIES().map((resource) => ({ resource })),
    build: (b, s) => b.resource('R', 'here', 'PROJECT', s.resource),
    invoke: (_s, ids) => nestedField(ids, 'project', 'R', 'issueTags', 'id'),
  },
  'Group.members': {
    relations: () => GROUP_TIES.map((group) => ({ group })),
    build: (b, s) => b.group('G', 'here', s.group!),
    invoke: (_s, ids) => nestedField(ids, 'group', 'G', 'members', 'id'),
  },
  'Group.managers': {
    relations: () => GROUP_TIES.map((group) => ({ group })),
    build: (b, s) => b.group('G', 'here', s.group!),
    invoke: (_s, ids) => nestedField(ids, 'group', 'G', 'managers', 'id'),
  },

  // ---- Workspace and users -------------------------------------------------------------------
  'Mutation.createWorkspace': {
    relations: () => one,
    build: nothing,
    invoke: () => withInput('createWorkspace', 'CreateWorkspaceInput', { name: 'New workspace' }, 'id'),
  },
  'Mutation.updateWorkspace': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withInput('updateWorkspace', 'UpdateWorkspaceInput', { workspaceId: ids.id('A'), name: 'Renamed' }, 'id'),
  },
  'Mutation.inviteUsers': {
    relations: () => WS_ROLES.flatMap((wsRole) => (['new', 'INVITED', 'JOINED', 'DECLINED', 'REMOVED'] as const).map((invitee) => ({ wsRole, invitee }))),
    build: (b, s) => {
      // A new invitee has no users row yet: only an email.
      if (s.invitee === 'new') return;
      b.user('invitee', 'a.test');
      const removed = s.invitee === 'REMOVED';
      b.w.memberships.push({ ws: 'A', user: 'invitee', role: 'MEMBER', status: removed ? 'JOINED' : (s.invitee as 'INVITED' | 'JOINED' | 'DECLINED'), removed });
    },
    invoke: (s, ids) => withInput('inviteUsers', 'InviteUsersInput', { workspaceId: ids.id('A'), emails: [ids.email('invitee')], role: s.wsRole }, 'id'),
  },
  'Mutation.acceptInvitation': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withId('acceptInvitation', 'workspaceId', ids.id('A'), 'id'),
  },
  'Mutation.declineInvitation': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withId('declineInvitation', 'workspaceId', ids.id('A'), 'id'),
  },
  'Mutation.removeUser': {
    relations: () => SUBJECTS.map((sub) => ({ subject: sub })),
    build: (b, s) => void b.subject(s.subject!),
    invoke: (s, ids) =>
      withInput('removeUser', 'RemoveUserInput', { workspaceId: ids.id('A'), userId: ids.id(s.subject!.self ? 'viewer' : 'subject') }, 'removedUserId'),
  },
  'Mutation.changeUserRole': {
    relations: () => SUBJECTS.flatMap((sub) => WS_ROLES.map((wsRole) => ({ subject: sub, wsRole }))),
    build: (b, s) => void b.subject(s.subject!),
    invoke: (s, ids) =>
      withInput('changeUserRole', 'ChangeUserRoleInput', { workspaceId: ids.id('A'), userId: ids.id(s.subject!.self ? 'viewer' : 'subject'), role: s.wsRole }, 'id'),
  },

  // ---- Resources and roles -------------------------------------------------------------------
  'Mutation.createProject': createResource('PROJECT'),
  'Mutation.createDataset': createResource('DATASET'),
  'Mutation.createOntology': createResource('ONTOLOGY'),
  'Mutation.assignUser': assignments('assignUser'),
  'Mutation.unassignUser': assignments('unassignUser'),
  'Mutation.assignGroup': assignments('assignGroup'),
  'Mutation.unassignGroup': assignments('unassignGroup'),

  // ---- Groups --------------------------------------------------------------------------------
  'Mutation.createGroup': {
    relations: () => (['none', 'member', 'internal-manager', 'external-manager', 'member-elsewhere'] as const).map((people) => ({ people })),
    build: (b, s) => {
      if (s.people === 'none') return;
      b.subject(subject({ internal: s.people !== 'external-manager', place: s.people === 'member-elsewhere' ? 'elsewhere' : 'here' }));
    },
    invoke: (s, ids) => {
      const people = s.people!;
      const named = people === 'none' ? {} : people.endsWith('manager') ? { managerIds: [ids.id('subject')] } : { memberIds: [ids.id('subject')] };
      return withInput('createGroup', 'CreateGroupInput', { workspaceId: ids.id('A'), name: 'New group', ...named }, 'id');
    },
  },
  'Mutation.updateGroup': {
    relations: () => [...GROUP_TIES.map((group) => ({ group })), ...places({ group: NO_GROUP_TIE })],
    build: (b, s) => b.group('G', s.place ?? 'here', s.group!),
    invoke: (_s, ids) => withInput('updateGroup', 'UpdateGroupInput', { groupId: ids.id('G'), name: 'Renamed group' }, 'id'),
  },
  'Mutation.deleteGroup': {
    relations: () => [...GROUP_TIES.map((group) => ({ group })), ...places({ group: NO_GROUP_TIE })],
    build: (b, s) => b.group('G', s.place ?? 'here', s.group!),
    invoke: (_s, ids) => withId('deleteGroup', 'groupId', ids.id('G')),
  },
  'Mutation.addGroupMembers': groupPeople('Members', true),
  'Mutation.removeGroupMembers': groupPeople('Members', false),
  'Mutation.addGroupManagers': groupPeople('Managers', true),
  'Mutation.removeGroupManagers': groupPeople('Managers', false),

  // ---- Tags and issues -----------------------------------------------------------------------
  'Mutation.createProjectTag': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withInput('createProjectTag', 'CreateTagInput', { workspaceId: ids.id('A'), name: 'New tag' }, 'id'),
  },
  'Mutation.deleteProjectTag': {
    relations: () => (['here', 'elsewhere', 'nowhere'] as const).map((place) => ({ place })),
    build: (b, s) => {
      const ws = b.wsOf(s.place!);
      if (ws) b.w.projectTags.push({ key: 'T', ws });
    },
    invoke: (_s, ids) => withId('deleteProjectTag', 'id', ids.id('T')),
  },
  'Mutation.setProjectTags': {
    relations: () => [
      ...PROJECT_TIES().flatMap((resource) => (['here', 'elsewhere'] as const).map((tagPlace) => ({ resource, tagPlace }))),
      ...places({ resource: NO_TIE, tagPlace: 'here' }),
    ],
    build: (b, s) => {
      b.resource('R', s.place ?? 'here', 'PROJECT', s.resource);
      b.w.projectTags.push({ key: 'T', ws: b.wsOf(s.tagPlace!)! });
    },
    invoke: (_s, ids) => withInput('setProjectTags', 'SetProjectTagsInput', { projectId: ids.id('R'), tagIds: [ids.id('T')] }, 'id'),
  },
  'Mutation.createIssueTag': {
    relations: () => [{ tagLevel: 'workspace' }, ...PROJECT_TIES().map((resource) => ({ tagLevel: 'project' as const, resource })), ...places({ tagLevel: 'project', resource: NO_TIE })],
    build: (b, s) => {
      if (s.tagLevel === 'project') b.resource('R', s.place ?? 'here', 'PROJECT', s.resource);
    },
    invoke: (s, ids) =>
      withInput('createIssueTag', 'CreateIssueTagInput', { workspaceId: ids.id('A'), name: 'New issue tag', ...(s.tagLevel === 'project' ? { projectId: ids.id('R') } : {}) }, 'id'),
  },
  'Mutation.deleteIssueTag': {
    relations: () => [
      ...(['here', 'elsewhere', 'nowhere'] as const).map((place) => ({ tagLevel: 'workspace' as const, place })),
      ...PROJECT_TIES().map((resource) => ({ tagLevel: 'project' as const, resource })),
      ...places({ tagLevel: 'project', resource: NO_TIE }),
    ],
    build: (b, s) => {
      const place = s.place ?? 'here';
      if (s.tagLevel === 'project') b.resource('R', place, 'PROJECT', s.resource);
      const ws = b.wsOf(place);
      if (ws) b.w.issueTags.push({ key: 'IT', ws, project: s.tagLevel === 'project' ? 'R' : null });
    },
    invoke: (_s, ids) => withId('deleteIssueTag', 'id', ids.id('IT')),
  },
  'Mutation.createIssue': {
    relations: () => [
      ...PROJECT_TIES().flatMap((resource) => ([undefined, 'here', 'elsewhere'] as const).map((tagPlace) => ({ resource, ...(tagPlace ? { tagPlace } : {}) }))),
      ...places({ resource: NO_TIE }),
    ],
    build: (b, s) => {
      b.resource('R', s.place ?? 'here', 'PROJECT', s.resource);
      if (s.tagPlace) b.w.issueTags.push({ key: 'IT', ws: b.wsOf(s.tagPlace)!, project: null });
    },
    invoke: (s, ids) => withInput('createIssue', 'CreateIssueInput', { projectId: ids.id('R'), title: 'A bug', ...(s.tagPlace ? { tagIds: [ids.id('IT')] } : {}) }, 'id'),
  },
  'Mutation.resolveIssue': {
    relations: () => [...PROJECT_TIES().map((resource) => ({ resource })), ...places({ resource: NO_TIE })],
    build: (b, s) => {
      b.resource('R', s.place ?? 'here', 'PROJECT', s.resource);
      if ((s.place ?? 'here') !== 'nowhere') b.w.issues.push({ key: 'I', project: 'R' });
    },
    invoke: (_s, ids) => withId('resolveIssue', 'id', ids.id('I'), 'id status'),
  },

  // ---- Activity Center -----------------------------------------------------------------------
  'Mutation.startJob': {
    relations: () =>
      JOB_TYPES.flatMap((jobType) => [
        ...resourceTies(jobType === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT').map((resource) => ({ jobType, resource })),
        ...places({ jobType, resource: NO_TIE }),
      ]),
    build: (b, s) => b.resource('R', s.place ?? 'here', s.jobType === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT', s.resource),
    invoke: (s, ids) =>
      withInput(
        'startJob',
        'StartJobInput',
        { workspaceId: ids.id('A'), type: s.jobType, ...(s.jobType === 'DATA_IMPORT' ? { datasetId: ids.id('R') } : { projectId: ids.id('R') }) },
        'id',
      ),
  },
  'Mutation.reportJobProgress': jobChange('reportJobProgress'),
  'Mutation.completeJob': jobChange('completeJob'),
  'Mutation.failJob': jobChange('failJob'),
  'Mutation.cancelJob': jobChange('cancelJob'),
  'Mutation.retryJob': {
    relations: () =>
      JOB_TYPES.flatMap((jobType) => [
        ...[true, false].flatMap((startedByViewer) =>
          resourceTies(jobType === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT').map((resource) => ({ jobType, startedByViewer, resource })),
        ),
        ...places({ jobType, startedByViewer: true, resource: NO_TIE }),
      ]),
    build: (b, s) => b.job('J', s.place ?? 'here', s.jobType!, s.startedByViewer!, s.resource!, 'ERROR'),
    invoke: (_s, ids) => withId('retryJob', 'jobId', ids.id('J'), 'id'),
  },
  'Subscription.jobEvents': {
    relations: () => one,
    build: (b) => b.job('J', 'here', 'MODEL_TRAINING', true, NO_TIE, 'PROCESSING'),
    invoke: (_s, ids) => ({
      args: { workspaceId: ids.id('A') },
      query: `subscription($ws: ID!, $after: String) { jobEvents(workspaceId: $ws, after: $after) { job { id } status } }`,
      variables: { ws: ids.id('A') },
      read: allowed,
      ws: true,
    }),
  },

  // ---- API keys ------------------------------------------------------------------------------
  'Mutation.createApiKey': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withInput('createApiKey', 'CreateApiKeyInput', { workspaceId: ids.id('A'), name: 'A key' }, 'apiKey { id }'),
  },
  'Mutation.revokeApiKey': {
    relations: () => [{ ownKey: true }, { ownKey: false }, ...places({ ownKey: true })],
    build: (b, s) => {
      const ws = b.wsOf(s.place ?? 'here');
      if (ws) b.w.apiKeys.push({ key: 'K', ws, user: s.ownKey && s.viewer ? 'viewer' : b.ownerOf(ws) });
    },
    invoke: (_s, ids) => withId('revokeApiKey', 'id', ids.id('K')),
  },
};

/** Every case: every operation x every relation x every viewer. */
export function generateCases(): Case[] {
  const cases: Case[] = [];
  for (const [op, spec] of Object.entries(OPERATIONS)) {
    for (const relation of spec.relations()) {
      for (const viewer of VIEWERS) {
        let scenario: Scenario = { op, viewer, ...relation };
        if (scenario.subject?.self && viewer) {
          // Acting on oneself: one's own role and place in the workspace.
          scenario = {
            ...scenario,
            subject: {
              ...scenario.subject,
              role: viewer.role,
              status: viewer.status === 'NONE' ? 'JOINED' : viewer.status,
              place: viewer.status === 'NONE' ? 'nowhere' : 'here',
            },
          };
        }
        const b = new Builder(scenario);
        spec.build(b, scenario);
        cases.push({ n: cases.length, scenario, world: b.w, viewerKey: viewer ? 'viewer' : null, invoke: (ids) => spec.invoke(scenario, ids) });
      }
    }
  }
  return cases;
}

/** A short, readable name of a case for failure messages. */
export function describeCase(c: Case): string {
  const { op, viewer, ...rest } = c.scenario;
  return `#${c.n} ${op} by ${viewer ? `${viewer.role}/${viewer.status}` : 'anonymous'} ${JSON.stringify(rest)}`;
}
