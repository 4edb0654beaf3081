import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { getNamedType, isInputObjectType, isObjectType, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { mintToken } from '../../src/dev-token';
import { eventCursor } from '../../src/events/job-event-log';
import { buildAppSchema } from '../../src/schema';
import { startTestServer, TEST_SECRET, type GqlResult, type TestServer } from '../support/harness';
import { emptyWorld, Ids, Rows, type World } from './permission-suite/world';

/**
 * Tenant isolation: every operation of the schema, tried with ids of another workspace, answers
 * exactly as it does for ids that name nothing (NOT_FOUND, null, an empty list, or for ids in a
 * list the same BAD_USER_INPUT), and writes nothing. The viewer is an ADMIN of workspace A who
 * is not a member of B; then the same with an API key of A held by a person who is an ADMIN of
 * BOTH workspaces (the key alone must keep B out of reach). The table below must name every
 * Query, Mutation and Subscription field and every other field that takes an id: a new
 * operation without a row here fails the first test.
 */

type Expect = 'NOT_FOUND' | 'null' | 'empty' | 'BAD_USER_INPUT' | 'noop';
type IdOf = (key: string) => string;
interface Probe {
  name: string;
  query: string;
  /** `a` gives ids of A's objects, `b` ids of B's objects (or, in the twin run, ids of nothing). */
  vars: (a: IdOf, b: IdOf) => Record<string, unknown>;
  expect: Expect;
  /** For null / empty: where the value is in `data`. */
  at?: (data: any) => unknown;
  ws?: true;
  /** What the API key run expects instead, when the key's scope refuses the operation whatever it names. */
  withKey?: 'FORBIDDEN';
}

const m = (name: string, args: string, decl: string, selection = '') => `mutation(${decl}) { ${name}(${args})${selection ? ` { ${selection} }` : ''} }`;
const withInput = (name: string, type: string, selection = '') => m(name, 'input: $input', `$input: ${type}!`, selection);
const withId = (name: string, arg: string, selection = '') => m(name, `${arg}: $id`, '$id: ID!', selection);
const inWs = (inner: string) => `query($ws: ID!, $id: ID!) { workspace(id: $ws) { ${inner} } }`;

const NF = 'NOT_FOUND' as const;
const PROBES: Record<string, Probe[] | { none: string }> = {
  'Query.viewer': { none: 'takes no id: the viewer is the token' },
  'Query.rateLimit': { none: "takes no id: the caller's own counter" },
  'Mutation.createWorkspace': { none: 'takes no id: it makes a new workspace' },
  'Query.workspace': [{ name: "B's id", query: `query($id: ID!) { workspace(id: $id) { id } }`, vars: (_a, b) => ({ id: b('B') }), expect: 'null', at: (d) => d.workspace }],
  'Workspace.user': [
    { name: "a member of B, asked in A", query: inWs('user(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('uB') }), expect: 'null', at: (d) => d.workspace.user },
    { name: "B's ADMIN, asked in A", query: inWs('user(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('ownerB') }), expect: 'null', at: (d) => d.workspace.user },
  ],
  'Workspace.group': [{ name: "B's group", query: inWs('group(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('GB') }), expect: 'null', at: (d) => d.workspace.group }],
  'Workspace.project': [{ name: "B's project", query: inWs('project(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('PB') }), expect: 'null', at: (d) => d.workspace.project }],
  'Workspace.dataset': [{ name: "B's dataset", query: inWs('dataset(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('DB') }), expect: 'null', at: (d) => d.workspace.dataset }],
  'Workspace.ontology': [{ name: "B's ontology", query: inWs('ontology(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('OB') }), expect: 'null', at: (d) => d.workspace.ontology }],
  'Workspace.job': [
    { name: "B's job", query: inWs('job(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('JB') }), expect: 'null', at: (d) => d.workspace.job },
    { name: 'a job of B the viewer started', query: inWs('job(id: $id) { id }'), vars: (a, b) => ({ ws: a('A'), id: b('JBv') }), expect: 'null', at: (d) => d.workspace.job },
  ],
  'Workspace.users': [
    {
      name: "a group filter naming B's group",
      query: `query($ws: ID!, $id: ID!) { workspace(id: $ws) { users(filter: { groupId: $id }) { totalCount nodes { id } } } }`,
      vars: (a, b) => ({ ws: a('A'), id: b('GB') }),
      expect: 'empty',
      at: (d) => d.workspace.users.nodes,
    },
  ],
  'Workspace.jobs': [
    {
      name: "a filter naming B's people",
      query: `query($ws: ID!, $id: ID!) { workspace(id: $ws) { jobs(filter: { userIds: [$id] }) { totalCount nodes { id } } } }`,
      vars: (a, b) => ({ ws: a('A'), id: b('ownerB') }),
      expect: 'empty',
      at: (d) => d.workspace.jobs.nodes,
    },
  ],
  'Workspace.projects': [
    {
      name: "a tag filter naming B's tag",
      query: `query($ws: ID!, $id: ID!) { workspace(id: $ws) { projects(filter: { tagIds: [$id] }) { totalCount nodes { id } } } }`,
      vars: (a, b) => ({ ws: a('A'), id: b('TB') }),
      expect: 'empty',
      at: (d) => d.workspace.projects.nodes,
    },
  ],
  'Project.issues': [
    {
      name: "a tag filter naming B's issue tag",
      query: `query($ws: ID!, $p: ID!, $id: ID!) { workspace(id: $ws) { project(id: $p) { issues(filter: { tagIds: [$id] }) { id } } } }`,
      vars: (a, b) => ({ ws: a('A'), p: a('PA'), id: b('ITB') }),
      expect: 'empty',
      at: (d) => d.workspace.project.issues,
    },
  ],
  'Subscription.jobEvents': [
    { name: "B's feed", query: `subscription($ws: ID!) { jobEvents(workspaceId: $ws) { cursor } }`, vars: (_a, b) => ({ ws: b('B') }), expect: NF, ws: true },
    {
      name: "A's feed after a cursor of B's",
      query: `subscription($ws: ID!, $after: String) { jobEvents(workspaceId: $ws, after: $after) { cursor } }`,
      vars: (a, b) => ({ ws: a('A'), after: eventCursor({ workspaceId: b('B'), seq: 1 }) }),
      expect: 'BAD_USER_INPUT',
      ws: true,
    },
  ],
  'Mutation.updateWorkspace': [{ name: 'B', query: withInput('updateWorkspace', 'UpdateWorkspaceInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), name: 'Mine now' } }), expect: NF }],
  'Mutation.inviteUsers': [
    { name: 'into B', query: withInput('inviteUsers', 'InviteUsersInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), emails: ['new.person@b.test'], role: 'ADMIN' } }), expect: NF },
  ],
  'Mutation.acceptInvitation': [{ name: 'B', query: withId('acceptInvitation', 'workspaceId', 'id'), vars: (_a, b) => ({ id: b('B') }), expect: NF }],
  'Mutation.declineInvitation': [{ name: 'B', query: withId('declineInvitation', 'workspaceId', 'id'), vars: (_a, b) => ({ id: b('B') }), expect: NF }],
  'Mutation.removeUser': [
    { name: 'a member of B, from B', query: withInput('removeUser', 'RemoveUserInput', 'removedUserId'), vars: (_a, b) => ({ input: { workspaceId: b('B'), userId: b('uB') } }), expect: NF },
    { name: 'a member of B, from A', query: withInput('removeUser', 'RemoveUserInput', 'removedUserId'), vars: (a, b) => ({ input: { workspaceId: a('A'), userId: b('uB') } }), expect: NF },
    {
      name: 'a member of A, handing over to a member of B',
      query: withInput('removeUser', 'RemoveUserInput', 'removedUserId'),
      vars: (a, b) => ({ input: { workspaceId: a('A'), userId: a('uAsole'), replacementUserId: b('uB') } }),
      expect: NF, // a person of B is no one in A, as for any id of no one
    },
  ],
  'Mutation.changeUserRole': [
    { name: 'in B', query: withInput('changeUserRole', 'ChangeUserRoleInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), userId: b('uB'), role: 'TASKER' } }), expect: NF },
    { name: 'a member of B, in A', query: withInput('changeUserRole', 'ChangeUserRoleInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), userId: b('uB'), role: 'ADMIN' } }), expect: NF },
  ],
  'Mutation.assignUser': [
    ['all of B', (a: IdOf, b: IdOf) => ({ workspaceId: b('B'), userId: b('uB'), resourceIds: [b('PB')] })],
    ["B's project, in A", (a: IdOf, b: IdOf) => ({ workspaceId: a('A'), userId: a('uA'), resourceIds: [b('PB')] })],
    ["A's and B's projects together", (a: IdOf, b: IdOf) => ({ workspaceId: a('A'), userId: a('uA'), resourceIds: [a('PA'), b('PB')] })],
    ["a member of B on A's project", (a: IdOf, b: IdOf) => ({ workspaceId: a('A'), userId: b('uB'), resourceIds: [a('PA')] })],
    ["A's project, said to be in B", (a: IdOf, b: IdOf) => ({ workspaceId: b('B'), userId: a('uA'), resourceIds: [a('PA')] })],
  ].map(([name, input]) => ({
    name: name as string,
    query: withInput('assignUser', 'AssignUserInput', 'role'),
    vars: (a: IdOf, b: IdOf) => ({ input: { ...(input as (a: IdOf, b: IdOf) => object)(a, b), resourceType: 'PROJECT', role: 'ANNOTATOR' } }),
    expect: NF,
  })),
  'Mutation.unassignUser': [
    ['all of B', (a: IdOf, b: IdOf) => ({ workspaceId: b('B'), userId: b('uB'), resourceId: b('PB') })],
    ["B's project, in A", (a: IdOf, b: IdOf) => ({ workspaceId: a('A'), userId: a('uA'), resourceId: b('PB') })],
    ["a member of B on A's project", (a: IdOf, b: IdOf) => ({ workspaceId: a('A'), userId: b('uB'), resourceId: a('PA') })],
  ].map(([name, input]) => ({
    name: name as string,
    query: withInput('unassignUser', 'UnassignUserInput'),
    vars: (a: IdOf, b: IdOf) => ({ input: { ...(input as (a: IdOf, b: IdOf) => object)(a, b), resourceType: 'PROJECT' } }),
    expect: NF,
  })),
  ...Object.fromEntries(
    ['Project', 'Dataset', 'Ontology'].map((t) => [
      `Mutation.create${t}`,
      [{ name: 'in B', query: withInput(`create${t}`, 'CreateResourceInput', 'id'), vars: (_a: IdOf, b: IdOf) => ({ input: { workspaceId: b('B'), name: 'Planted' } }), expect: NF }],
    ]),
  ),
  'Mutation.createGroup': [
    { name: 'in B', query: withInput('createGroup', 'CreateGroupInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), name: 'Planted' } }), expect: NF },
    { name: 'in A with a member of B', query: withInput('createGroup', 'CreateGroupInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), name: 'Mixed', memberIds: [b('uB')] } }), expect: NF },
    { name: 'in A with a manager of B', query: withInput('createGroup', 'CreateGroupInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), name: 'Mixed', managerIds: [b('uB')] } }), expect: NF },
  ],
  'Mutation.updateGroup': [{ name: "B's group", query: withInput('updateGroup', 'UpdateGroupInput', 'id'), vars: (_a, b) => ({ input: { groupId: b('GB'), name: 'Mine' } }), expect: NF }],
  'Mutation.deleteGroup': [{ name: "B's group", query: withId('deleteGroup', 'groupId'), vars: (_a, b) => ({ id: b('GB') }), expect: NF }],
  ...Object.fromEntries(
    (['addGroupMembers', 'removeGroupMembers', 'addGroupManagers', 'removeGroupManagers'] as const).map((op) => [
      `Mutation.${op}`,
      [
        { name: "B's group", query: withInput(op, 'GroupUsersInput', 'id'), vars: (a: IdOf, b: IdOf) => ({ input: { groupId: b('GB'), userIds: [a('uA')] } }), expect: NF },
        {
          name: "A's group, a member of B",
          query: withInput(op, 'GroupUsersInput', 'id'),
          vars: (a: IdOf, b: IdOf) => ({ input: { groupId: a('GA'), userIds: [b('uB')] } }),
          // A person of B is no one in A: adding or taking them out answers as for an id of no one.
          expect: NF,
        },
      ],
    ]),
  ),
  'Mutation.assignGroup': [
    ["B's group on A's project", (a: IdOf, b: IdOf) => ({ groupId: b('GB'), resourceIds: [a('PA')] })],
    ["A's group on B's project", (a: IdOf, b: IdOf) => ({ groupId: a('GA'), resourceIds: [b('PB')] })],
    ["A's group on A's and B's projects", (a: IdOf, b: IdOf) => ({ groupId: a('GA'), resourceIds: [a('PA'), b('PB')] })],
  ].map(([name, input]) => ({
    name: name as string,
    query: withInput('assignGroup', 'AssignGroupInput', 'role'),
    vars: (a: IdOf, b: IdOf) => ({ input: { ...(input as (a: IdOf, b: IdOf) => object)(a, b), resourceType: 'PROJECT', role: 'REVIEWER' } }),
    expect: NF,
  })),
  'Mutation.unassignGroup': [
    ["B's group on A's project", (a: IdOf, b: IdOf) => ({ groupId: b('GB'), resourceId: a('PA') })],
    ["A's group on B's project", (a: IdOf, b: IdOf) => ({ groupId: a('GA'), resourceId: b('PB') })],
  ].map(([name, input]) => ({
    name: name as string,
    query: withInput('unassignGroup', 'UnassignGroupInput'),
    vars: (a: IdOf, b: IdOf) => ({ input: { ...(input as (a: IdOf, b: IdOf) => object)(a, b), resourceType: 'PROJECT' } }),
    expect: NF,
  })),
  'Mutation.createProjectTag': [{ name: 'in B', query: withInput('createProjectTag', 'CreateTagInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), name: 'Planted' } }), expect: NF }],
  'Mutation.deleteProjectTag': [{ name: "B's tag", query: withId('deleteProjectTag', 'id'), vars: (_a, b) => ({ id: b('TB') }), expect: NF }],
  'Mutation.setProjectTags': [
    { name: "B's project", query: withInput('setProjectTags', 'SetProjectTagsInput', 'id'), vars: (a, b) => ({ input: { projectId: b('PB'), tagIds: [a('TA')] } }), expect: NF },
    // A tag id that is not one of the workspace's is bad input (so is an unknown one).
    { name: "B's tag on A's project", query: withInput('setProjectTags', 'SetProjectTagsInput', 'id'), vars: (a, b) => ({ input: { projectId: a('PA'), tagIds: [b('TB')] } }), expect: 'BAD_USER_INPUT' },
  ],
  'Mutation.createIssueTag': [
    { name: 'in B', query: withInput('createIssueTag', 'CreateIssueTagInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), name: 'Planted' } }), expect: NF },
    { name: "for B's project, in A", query: withInput('createIssueTag', 'CreateIssueTagInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), projectId: b('PB'), name: 'Planted' } }), expect: NF },
  ],
  'Mutation.deleteIssueTag': [
    { name: "B's workspace tag", query: withId('deleteIssueTag', 'id'), vars: (_a, b) => ({ id: b('ITB') }), expect: NF },
    { name: "B's project tag", query: withId('deleteIssueTag', 'id'), vars: (_a, b) => ({ id: b('ITBP') }), expect: NF },
  ],
  'Mutation.createIssue': [
    { name: "B's project", query: withInput('createIssue', 'CreateIssueInput', 'id'), vars: (_a, b) => ({ input: { projectId: b('PB'), title: 'Planted' } }), expect: NF },
    { name: "B's tag on A's project", query: withInput('createIssue', 'CreateIssueInput', 'id'), vars: (a, b) => ({ input: { projectId: a('PA'), title: 'X', tagIds: [b('ITB')] } }), expect: 'BAD_USER_INPUT' },
    { name: "B's project's tag", query: withInput('createIssue', 'CreateIssueInput', 'id'), vars: (a, b) => ({ input: { projectId: a('PA'), title: 'X', tagIds: [b('ITBP')] } }), expect: 'BAD_USER_INPUT' },
  ],
  'Mutation.resolveIssue': [{ name: "B's issue", query: withId('resolveIssue', 'id', 'id'), vars: (_a, b) => ({ id: b('IB') }), expect: NF }],
  'Mutation.startJob': [
    { name: 'in B', query: withInput('startJob', 'StartJobInput', 'id'), vars: (_a, b) => ({ input: { workspaceId: b('B'), type: 'LABEL_IMPORT', projectId: b('PB') } }), expect: NF },
    { name: "B's project, in A", query: withInput('startJob', 'StartJobInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), type: 'MODEL_TRAINING', projectId: b('PB') } }), expect: NF },
    { name: "B's dataset, in A", query: withInput('startJob', 'StartJobInput', 'id'), vars: (a, b) => ({ input: { workspaceId: a('A'), type: 'DATA_IMPORT', datasetId: b('DB') } }), expect: NF },
  ],
  ...Object.fromEntries(
    (
      [
        ['reportJobProgress', (id: string) => ({ input: { jobId: id, progress: 0.5 } }), withInput('reportJobProgress', 'JobProgressInput', 'id')],
        ['completeJob', (id: string) => ({ id }), withId('completeJob', 'jobId', 'id')],
        ['failJob', (id: string) => ({ input: { jobId: id, errorMessage: 'x' } }), withInput('failJob', 'FailJobInput', 'id')],
        ['cancelJob', (id: string) => ({ id }), withId('cancelJob', 'jobId', 'id')],
      ] as const
    ).map(([op, vars, query]) => [
      `Mutation.${op}`,
      [
        { name: "B's job", query, vars: (_a: IdOf, b: IdOf) => vars(b('JB')), expect: NF },
        { name: 'a job of B the viewer started', query, vars: (_a: IdOf, b: IdOf) => vars(b('JBv')), expect: NF },
      ],
    ]),
  ),
  'Mutation.retryJob': [{ name: "B's failed job", query: withId('retryJob', 'jobId', 'id'), vars: (_a, b) => ({ id: b('JBe') }), expect: NF }],
  // No API key makes a key (the key's scope refuses it before any id is looked at: FORBIDDEN for B's id and for none alike).
  'Mutation.createApiKey': [{ name: 'in B', query: withInput('createApiKey', 'CreateApiKeyInput', 'key'), vars: (_a, b) => ({ input: { workspaceId: b('B'), name: 'Planted' } }), expect: NF, withKey: 'FORBIDDEN' }],
  'Mutation.createWebhook': [
    { name: 'in B', query: withInput('createWebhook', 'CreateWebhookInput', 'secret'), vars: (_a, b) => ({ input: { workspaceId: b('B'), url: 'https://hooks.example.com/x' } }), expect: NF },
  ],
  'Mutation.deleteWebhook': [{ name: "B's webhook", query: `mutation($id: ID!) { deleteWebhook(id: $id) }`, vars: (_a, b) => ({ id: b('WHB') }), expect: NF }],
  'Mutation.revokeApiKey': [
    { name: "B's key", query: withId('revokeApiKey', 'id'), vars: (_a, b) => ({ id: b('KB') }), expect: NF },
    { name: "the viewer's key in B", query: withId('revokeApiKey', 'id'), vars: (_a, b) => ({ id: b('KBv') }), expect: NF },
  ],
};

/** Whether an input type holds an ID anywhere (lists and nested inputs included). */
function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => holdsId(f.type, seen));
}

/** Every Query, Mutation and Subscription field, and every other field with an argument that holds an id. */
function operationsToCover(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
    for (const field of Object.values(type.getFields())) {
      if (root || field.args.some((a) => holdsId(a.type))) out.push(`${type.name}.${field.name}`);
    }
  }
  return out.sort();
}

// ---- The two workspaces ------------------------------------------------------------------------

/** A: the viewer's (ADMIN); B: another, where the viewer is not a member; `dual` is an ADMIN of both. */
function world(): World {
  const w = emptyWorld();
  w.workspaces.push({ key: 'A', domain: 'a.test' }, { key: 'B', domain: 'b.test' });
  for (const [key, domain] of [['viewer', 'a.test'], ['dual', 'a.test'], ['uA', 'a.test'], ['uAsole', 'a.test'], ['ownerB', 'b.test'], ['uB', 'b.test']]) {
    w.users.push({ key, domain });
  }
  w.memberships.push(
    { ws: 'A', user: 'viewer', role: 'ADMIN', status: 'JOINED' },
    { ws: 'A', user: 'dual', role: 'ADMIN', status: 'JOINED' },
    { ws: 'A', user: 'uA', role: 'MEMBER', status: 'JOINED' },
    { ws: 'A', user: 'uAsole', role: 'MEMBER', status: 'JOINED' },
    { ws: 'B', user: 'ownerB', role: 'ADMIN', status: 'JOINED' },
    { ws: 'B', user: 'dual', role: 'ADMIN', status: 'JOINED' },
    { ws: 'B', user: 'uB', role: 'MEMBER', status: 'JOINED' },
  );
  for (const [key, ws, type, admin] of [
    ['PA', 'A', 'PROJECT', 'viewer'],
    ['PAsole', 'A', 'PROJECT', 'uAsole'],
    ['PB', 'B', 'PROJECT', 'ownerB'],
    ['DB', 'B', 'DATASET', 'ownerB'],
    ['OB', 'B', 'ONTOLOGY', 'ownerB'],
  ] as const) {
    w.resources.push({ key, ws, type });
    w.userRoles.push({ res: key, user: admin, role: 'ADMIN' });
  }
  w.userRoles.push({ res: 'PB', user: 'uB', role: 'ANNOTATOR' });
  w.groups.push({ key: 'GA', ws: 'A', createdBy: 'viewer' }, { key: 'GB', ws: 'B', createdBy: 'ownerB' });
  w.groupMembers.push({ group: 'GA', user: 'uA' }, { group: 'GB', user: 'uB' });
  w.groupManagers.push({ group: 'GB', user: 'ownerB' });
  w.groupRoles.push({ res: 'PB', group: 'GB', role: 'REVIEWER' });
  w.projectTags.push({ key: 'TA', ws: 'A' }, { key: 'TB', ws: 'B' });
  w.issueTags.push({ key: 'ITB', ws: 'B', project: null }, { key: 'ITBP', ws: 'B', project: 'PB' });
  w.issues.push({ key: 'IA', project: 'PA' }, { key: 'IB', project: 'PB' });
  w.jobs.push(
    { key: 'JB', ws: 'B', type: 'LABEL_IMPORT', status: 'PROCESSING', user: 'ownerB', res: 'PB' },
    { key: 'JBe', ws: 'B', type: 'MODEL_TRAINING', status: 'ERROR', user: 'ownerB', res: 'PB' },
    { key: 'JBv', ws: 'B', type: 'MODEL_TRAINING', status: 'PROCESSING', user: 'viewer', res: 'PB' },
  );
  w.apiKeys.push({ key: 'KB', ws: 'B', user: 'ownerB' }, { key: 'KBv', ws: 'B', user: 'viewer' });
  return w;
}

let server: TestServer;
let schema: GraphQLSchema;
let ids: Ids;
let viewerToken: string;
let dualKey: string;

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
  schema = await buildAppSchema();
  const w = world();
  ids = new Ids(w, 'iso');
  const rows = new Rows();
  rows.add(w, ids, { jobEvents: true });
  await rows.insert(server.db);
  // Caught up with B's event log: the sender has nothing to deliver (its writes would race the row counts).
  await server.db.query(
    `INSERT INTO webhooks (id, workspace_id, url, secret, event_seq) SELECT $1, id, 'https://hooks.example.com/b', 'secret', last_event_seq FROM workspaces WHERE id = $2`,
    [ids.id('WHB'), ids.id('B')],
  );
  const token = (key: string) => mintToken(TEST_SECRET, { sub: `test|${ids.email(key)}`, email: ids.email(key) });
  viewerToken = await token('viewer');
  const made = await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { workspaceId: ids.id('A'), name: 'Key of A' } }, await token('dual'));
  dualKey = made.data.createApiKey.key;
});
afterAll(() => server?.close());

it('has a row for every operation of the schema and every field that takes an id, and none for what is gone', async () => {
  expect(Object.keys(PROBES).sort()).toEqual(operationsToCover(schema));
});

async function countAll(): Promise<Record<string, number>> {
  const tables: Array<{ name: string }> = await server.db.query(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const rows: Array<{ name: string; n: number }> = await server.db.query(tables.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

async function send(probe: Probe, variables: Record<string, unknown>, token: string): Promise<GqlResult> {
  if (!probe.ws) return server.gql(probe.query, variables, token);
  const client = server.ws(token);
  try {
    return await new Promise<GqlResult>((resolve) => {
      const timer = setTimeout(() => resolve({ status: 0, data: { live: true } }), 1_500);
      client.subscribe(
        { query: probe.query, variables },
        {
          next: (msg: any) => (clearTimeout(timer), resolve({ status: 0, ...msg })),
          error: (err: any) => (clearTimeout(timer), resolve({ status: 0, errors: Array.isArray(err) ? err : [{ message: String(err), extensions: { code: 'SOCKET' } }] })),
          complete: () => (clearTimeout(timer), resolve({ status: 0, data: { completed: true } })),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** What a client can tell from an answer, with every id of the probe written as its key (so two runs compare). */
function visible(res: GqlResult, names: Map<string, string>): string {
  const error = res.errors?.[0];
  const shown = { code: error?.extensions?.code ?? null, message: error?.message ?? null, extensions: error?.extensions ?? null, data: res.data ?? null };
  let text = JSON.stringify(shown);
  for (const [id, key] of names) text = text.split(id).join(`<${key}>`);
  return text;
}

function check(probe: Probe, res: GqlResult, withKey: boolean): string | null {
  const code = res.errors?.[0]?.extensions?.code;
  if (withKey && probe.withKey) return code === probe.withKey ? null : `expected ${probe.withKey}, got ${code ?? JSON.stringify(res.data)}`;
  switch (probe.expect) {
    case 'NOT_FOUND':
    case 'BAD_USER_INPUT':
      return code === probe.expect ? null : `expected ${probe.expect}, got ${code ?? JSON.stringify(res.data)}`;
    case 'noop':
      return res.errors ? `expected no error, got ${code}` : null;
    case 'null':
    case 'empty': {
      if (res.errors) return `expected ${probe.expect}, got ${code}`;
      const value = probe.at!(res.data);
      const ok = probe.expect === 'null' ? value === null : Array.isArray(value) && value.length === 0;
      return ok ? null : `expected ${probe.expect}, got ${JSON.stringify(value)}`;
    }
  }
}

describe.each([
  ['an ADMIN of A who is not a member of B', () => viewerToken, false],
  ["an ADMIN of both, with an API key of A", () => dualKey, true],
])('ids of workspace B, for %s', (_who, credential, withKey) => {
  const rows = Object.entries(PROBES).flatMap(([op, probes]) => (Array.isArray(probes) ? probes.map((p) => [op, p.name, p] as const) : []));

  it.each(rows)('%s (%s) answers as for a missing id and writes nothing', async (_op, _name, probe) => {
    const token = credential();
    const a: IdOf = (key) => ids.id(key);
    // The twin: every id of B replaced by an id of nothing.
    const missing = new Map<string, string>();
    const none: IdOf = (key) => missing.get(key) ?? missing.set(key, randomUUID()).get(key)!;
    const names = new Map<string, string>();
    const b: IdOf = (key) => {
      names.set(ids.id(key), key);
      return ids.id(key);
    };
    const before = await countAll();
    const real = await send(probe, probe.vars(a, b), token);
    const twin = await send(probe, probe.vars(a, none), token);
    expect(await countAll()).toEqual(before);
    for (const [key, id] of missing) names.set(id, key);
    expect(check(probe, real, withKey)).toBeNull();
    expect(visible(real, names)).toBe(visible(twin, names));
  });
});
