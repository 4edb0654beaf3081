import type { ObjectKind } from '../../../src/authorization/conditions';
import { policy, type AnyRule } from '../../../src/authorization/policy';
import { Builder } from './builder';
import type { Check } from './checks';
import { FITS, GROUP_TIES, NO_GROUP_TIE, NO_TIE, resourceTies, selfSubject, subject, SUBJECTS, VIEWERS, viewerLabel } from './dimensions';
import { oracle } from './oracle';
import { JOB_TYPES, RES_TYPES, WS_ROLES, type GroupTie, type Place, type ResourceTie, type ResRole, type ResType, type Scenario, type Subject } from './scenario';
import { inScope, verdictOf } from './table';
import type { Ids, World } from './world';

/**
 * GATES: for every operation and ruled field of the schema, the scenarios (viewer x relation to
 * the objects named) and, for each, the rows it needs and the call that tries it, both as the
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
  /**
   * A field answering one object (Workspace.project(id)): the object, so that a list rule
   * guarding it (one that declares `lists`) is narrowed by its scope, as the field's resolver is.
   */
  object?: { kind: ObjectKind; key: string };
}

export interface Case {
  n: number;
  scenario: Scenario;
  world: World;
  /** 'viewer', or null for a request without a token. */
  viewerKey: string | null;
  invoke(ids: Ids): Invocation;
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
    invoke: (_s, ids) => ({
      ...workspaceField(ids, FIELD_ONE[type], { id: ids.id('R') }, { id: 'ID!' }, 'id', present((ws) => ws[FIELD_ONE[type]])),
      object: { kind: 'resource', key: 'R' },
    }),
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

/**
 * The people group operations name: a JOINED member of the workspace, an INVITED one ("An INVITED
 * user can be ... put in groups before they accept"), themselves, one of another workspace, and
 * for additions a DECLINED or REMOVED one (BAD_USER_INPUT), and for managers an external one and
 * a TASKER (BAD_USER_INPUT).
 */
function groupSubjects(kind: 'Members' | 'Managers', adding: boolean): Subject[] {
  return [
    subject({}),
    subject({ status: 'INVITED' }),
    subject({ self: true }),
    subject({ place: 'elsewhere' }),
    ...(adding ? [subject({ status: 'DECLINED' }), subject({ status: 'REMOVED' }), subject({ place: 'nowhere' })] : []),
    ...(kind === 'Managers' && adding ? [subject({ internal: false }), subject({ role: 'TASKER' })] : []),
  ];
}

const groupPeople = (kind: 'Members' | 'Managers', adding: boolean): OpSpec => ({
  relations: () => [
    // Removing oneself: only from a group one is in (as member or manager).
    ...GROUP_TIES.flatMap((group) =>
      groupSubjects(kind, adding)
        .filter((sub) => adding || !sub.self || (kind === 'Members' ? group.member : group.manager))
        .map((sub) => ({ group, subject: sub })),
    ),
    ...places({ group: NO_GROUP_TIE, subject: subject({}) }),
  ],
  build: (b, s) => {
    b.group('G', s.place ?? 'here', s.group!);
    const who = b.subject(s.subject!);
    // Removing: the person is in the group now (when both are in the same workspace).
    if (!adding && s.subject!.place === 'here' && (s.place ?? 'here') === 'here') {
      const rows = kind === 'Members' ? b.w.groupMembers : b.w.groupManagers;
      if (!rows.some((r) => r.group === 'G' && r.user === who)) rows.push({ group: 'G', user: who });
    }
  },
  invoke: (s, ids) =>
    withInput(`${adding ? 'add' : 'remove'}Group${kind}`, 'GroupUsersInput', { groupId: ids.id('G'), userIds: [ids.id(s.subject!.self ? 'viewer' : 'subject')] }, 'id'),
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
      : { ...workspaceField(ids, 'group', { id: ids.id('G') }, { id: 'ID!' }, 'id', present((ws) => ws.group)), object: { kind: 'group', key: 'G' } },
});

const jobsLookup = (list: boolean): OpSpec => ({
  relations: () => [...jobTies(), ...(list ? [] : places({ startedByViewer: true, resource: NO_TIE }))],
  build: (b, s) => b.job('J', s.place ?? 'here', 'MODEL_TRAINING', s.startedByViewer!, s.resource!, 'PROCESSING'),
  invoke: (_s, ids) =>
    list
      ? workspaceField(ids, 'jobs', {}, {}, 'nodes { id }', listed((ws) => ws.jobs?.nodes, ids.id('J')))
      : { ...workspaceField(ids, 'job', { id: ids.id('J') }, { id: 'ID!' }, 'id', present((ws) => ws.job)), object: { kind: 'job', key: 'J' } },
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
        // A group the viewer does not see (unless they see every group), belongs to, manages.
        const groupTies: GroupTie[] = toUser ? [NO_GROUP_TIE] : [NO_GROUP_TIE, { ...NO_GROUP_TIE, member: true }, { ...NO_GROUP_TIE, manager: true }];
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
          // Themselves (with whatever they hold there), INVITED, DECLINED / REMOVED (given roles: BAD_USER_INPUT), of no workspace of theirs.
          const more = [subject({ status: 'INVITED' }), subject({ place: 'elsewhere' }), subject({ place: 'nowhere' }), ...(bulk ? [subject({ status: 'DECLINED' }), subject({ status: 'REMOVED' })] : [])];
          for (const sub of more) out.push({ ...base, subject: sub });
          for (const resource of resourceTies(resourceType)) out.push({ ...base, resource, subject: subject({ self: true, directRole: resource.direct }) });
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
      const userId = ids.id(s.subject?.self ? 'viewer' : 'subject');
      switch (name) {
        case 'assignUser':
          return withInput(name, 'AssignUserInput', { workspaceId: ids.id('A'), userId, resourceType: type, resourceIds, role: s.role }, 'role');
        case 'unassignUser':
          return withInput(name, 'UnassignUserInput', { workspaceId: ids.id('A'), userId, resourceType: type, resourceId: resourceIds[0] });
        case 'assignGroup':
          return withInput(name, 'AssignGroupInput', { groupId: ids.id('G'), resourceType: type, resourceIds, role: s.role }, 'role');
        case 'unassignGroup':
          return withInput(name, 'UnassignGroupInput', { groupId: ids.id('G'), resourceType: type, resourceId: resourceIds[0] });
      }
    },
  };
};

const PROJECT_TIES = () => resourceTies('PROJECT');

/** Operations allowed to every caller, with a token or without: no refusal to expect of them. */
export const ALWAYS_ALLOWED = ['Query.rateLimit'];

export const OPERATIONS: Record<string, OpSpec> = {
  // ---- Query ---------------------------------------------------------------------------------
  'Query.viewer': {
    relations: () => one,
    build: nothing,
    invoke: () => ({ args: {}, query: `{ viewer { id } }`, variables: {}, read: allowed }),
  },
  'Query.rateLimit': {
    relations: () => one,
    build: nothing,
    invoke: () => ({ args: {}, query: `{ rateLimit { remaining } }`, variables: {}, read: allowed }),
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
      const key = s.subject!.self ? 'viewer' : 'subject';
      return { ...workspaceField(ids, 'user', { id: ids.id(key) }, { id: 'ID!' }, 'id', present((ws) => ws.user)), object: { kind: 'person', key } };
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
  'Workspace.webhooks': {
    relations: () => one,
    build: (b) => b.w.webhooks.push({ key: 'H', ws: 'A' }),
    invoke: (_s, ids) => workspaceField(ids, 'webhooks', {}, {}, 'id', () => 'allow'),
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
    relations: () =>
      (
        ['none', 'member', 'internal-manager', 'external-manager', 'tasker-manager', 'member-elsewhere', 'member-DECLINED', 'member-REMOVED', 'self-member', 'self-manager'] as const
      ).map((people) => ({ people })),
    build: (b, s) => {
      const people = s.people!;
      if (people === 'none' || people.startsWith('self')) return;
      b.subject(
        subject({
          internal: people !== 'external-manager',
          place: people === 'member-elsewhere' ? 'elsewhere' : 'here',
          role: people === 'tasker-manager' ? 'TASKER' : 'MEMBER',
          status: people === 'member-DECLINED' ? 'DECLINED' : people === 'member-REMOVED' ? 'REMOVED' : 'JOINED',
        }),
      );
    },
    invoke: (s, ids) => {
      const people = s.people!;
      const who = [ids.id(people.startsWith('self') ? 'viewer' : 'subject')];
      const named = people === 'none' ? {} : people.endsWith('manager') ? { managerIds: who } : { memberIds: who };
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
  // ---- Webhooks ------------------------------------------------------------------------------
  'Mutation.createWebhook': {
    relations: () => one,
    build: nothing,
    invoke: (_s, ids) => withInput('createWebhook', 'CreateWebhookInput', { workspaceId: ids.id('A'), url: 'https://93.184.216.34/hooks/new' }, 'webhook { id }'),
  },
  'Mutation.deleteWebhook': {
    relations: () => (['here', 'elsewhere', 'nowhere'] as const).map((place) => ({ place })),
    build: (b, s) => {
      const ws = b.wsOf(s.place!);
      if (ws) b.w.webhooks.push({ key: 'H', ws });
    },
    invoke: (_s, ids) => withId('deleteWebhook', 'id', ids.id('H')),
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
  return [...gateCases()];
}

function* gateCases(): Generator<Case> {
  let n = 0;
  for (const [op, spec] of Object.entries(OPERATIONS)) {
    for (const relation of spec.relations()) {
      for (const viewer of VIEWERS) {
        // Acting on oneself: one's own role and place in the workspace.
        const scenario: Scenario = { op, viewer, ...relation, ...(relation.subject ? { subject: selfSubject(relation.subject, viewer) } : {}) };
        let world: World | undefined;
        yield {
          n: n++,
          scenario,
          get world() {
            if (!world) {
              const b = new Builder(viewer);
              spec.build(b, scenario);
              world = b.w;
            }
            return world;
          },
          viewerKey: viewer ? 'viewer' : null,
          invoke: (ids) => spec.invoke(scenario, ids),
        };
      }
    }
  }
}

/** A short, readable name of a case for failure messages. */
export function describeCase(c: Case): string {
  const { op, viewer, ...rest } = c.scenario;
  return `#${c.n} ${op} by ${viewerLabel(viewer)} ${JSON.stringify(rest)}`;
}

/**
 * The gate cases as checks: the table's answer is the guard's decision on the operation's rule
 * (`authorize`), and for a one-object field guarded by a list rule, that rule's scope on the object.
 */
export function* gateChecks(): Generator<Check> {
  for (const c of gateCases()) {
    yield {
      kind: 'gate',
      key: c.scenario.op,
      n: c.n,
      viewer: c.scenario.viewer,
      viewerKey: c.viewerKey,
      describe: () => `gate ${describeCase(c)}`,
      build: () => c.world,
      expected: () => {
        const e = oracle(c.scenario);
        return {
          table: [e.gate, ...(e.alt ? [e.alt] : []), ...(e.gateAlt ? [e.gateAlt] : [])],
          api: [e.api, ...(e.alt ? [e.alt] : [])],
          writes: e.api === 'allow' && c.scenario.op.startsWith('Mutation.'),
        };
      },
      table: async (ctx, ids, rules) => {
        const rule = rules.get(c.scenario.op);
        if (!rule) return `no rule for ${c.scenario.op}`;
        const call = c.invoke(ids);
        const verdict = await verdictOf(ctx, rule, call.parent, call.args);
        const lists = (policy[rule] as AnyRule).lists;
        if (verdict !== 'allow' || !lists || !call.object) return verdict;
        const seen = await inScope(ctx, lists, { [call.object.kind]: call.object.key }, ids, ids.id('A'));
        return seen ? 'allow' : 'NOT_FOUND';
      },
      call: (ids) => {
        const call = c.invoke(ids);
        return {
          query: call.query,
          variables: call.variables,
          ws: call.ws,
          read: (res) => (res.errors?.length ? (res.errors[0].extensions?.code ?? `no code: ${res.errors[0].message}`) : call.read(res.data)),
        };
      },
    };
  }
}
