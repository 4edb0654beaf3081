import type { GqlResult, TestServer } from '../../support/harness';
import type { View } from './model';
import type { Resolved } from './steps';
import type { ResourceType, WsRole } from './state';

/** Each step through the public API (schema.graphql), as its actor, selecting little so that only the operation answers. */
const TYPE_NAME: Record<ResourceType, string> = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' };
const GROUP_PEOPLE = (op: string) => `mutation($input: GroupUsersInput!) { ${op}(input: $input) { id } }`;

let made = 0;

export function run(server: TestServer, workspaceId: string, r: Resolved): Promise<GqlResult> {
  const gql = (query: string, variables: Record<string, unknown>) => server.gql(query, variables, r.actor.token);
  switch (r.kind) {
    case 'createResource':
      return gql(`mutation($input: CreateResourceInput!) { create${TYPE_NAME[r.type]}(input: $input) { id } }`, { input: { workspaceId, name: `${TYPE_NAME[r.type]} ${++made}` } });
    case 'assignUser':
      return gql(`mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, {
        input: { workspaceId, userId: r.user, resourceType: r.type, resourceIds: r.resourceIds, role: r.role },
      });
    case 'unassignUser':
      return gql(`mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`, {
        input: { workspaceId, userId: r.user, resourceType: r.type, resourceId: r.resourceIds[0] },
      });
    case 'assignGroup':
      return gql(`mutation($input: AssignGroupInput!) { assignGroup(input: $input) { role } }`, {
        input: { groupId: r.groupId, resourceType: r.type, resourceIds: r.resourceIds, role: r.role },
      });
    case 'unassignGroup':
      return gql(`mutation($input: UnassignGroupInput!) { unassignGroup(input: $input) }`, { input: { groupId: r.groupId, resourceType: r.type, resourceId: r.resourceIds[0] } });
    case 'createGroup':
      return gql(`mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, {
        input: { workspaceId, name: r.name, memberIds: r.memberIds, managerIds: r.managerIds },
      });
    case 'updateGroup':
      return gql(`mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }`, {
        input: { groupId: r.groupId, name: r.name, memberIds: r.memberIds, managerIds: r.managerIds },
      });
    case 'deleteGroup':
      return gql(`mutation($id: ID!) { deleteGroup(groupId: $id) }`, { id: r.groupId });
    case 'addGroupMembers':
    case 'removeGroupMembers':
    case 'addGroupManagers':
    case 'removeGroupManagers':
      return gql(GROUP_PEOPLE(r.kind), { input: { groupId: r.groupId, userIds: r.userIds } });
    case 'inviteUsers':
      return gql(`mutation($input: InviteUsersInput!) { inviteUsers(input: $input) { id } }`, { input: { workspaceId, emails: r.emails, role: r.wsRole } });
    case 'acceptInvitation':
    case 'declineInvitation':
      return gql(`mutation($ws: ID!) { ${r.kind}(workspaceId: $ws) { id status } }`, { ws: workspaceId });
    case 'changeUserRole':
      return gql(`mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { id role } }`, { input: { workspaceId, userId: r.user, role: r.wsRole } });
    case 'removeUser':
      return gql(`mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId } }`, {
        input: { workspaceId, userId: r.user, ...(r.replacementUserId ? { replacementUserId: r.replacementUserId } : {}) },
      });
    case 'startJob':
      return gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, {
        input: { workspaceId, type: r.jobType, ...(r.jobType === 'DATA_IMPORT' ? { datasetId: r.resourceIds[0] } : { projectId: r.resourceIds[0] }) },
      });
    case 'cancelJob':
      return gql(`mutation($id: ID!) { cancelJob(jobId: $id) { id } }`, { id: r.jobId });
    case 'failJob':
      return gql(`mutation($input: FailJobInput!) { failJob(input: $input) { id } }`, { input: { jobId: r.jobId, errorMessage: 'worker failed' } });
    case 'retryJob':
      return gql(`mutation($id: ID!) { retryJob(jobId: $id) { id } }`, { id: r.jobId });
    case 'createApiKey':
      return gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }`, { input: { workspaceId, name: `key ${++made}` } });
  }
}

/** The view's document for a viewer of a role: lists of people only for those who see people (a TASKER's `users` would null the workspace). */
function viewQuery(role: WsRole | null): string {
  const seesPeople = role !== 'TASKER';
  return `query($ws: ID!, $one: ID!) { workspace(id: $ws) {
    viewerRole
    projects(first: 100) { nodes { id viewerRole members { user { id } role via { id } } } totalCount }
    datasets(first: 100) { nodes { id viewerRole members { user { id } role via { id } } } totalCount }
    ontologies(first: 100) { nodes { id viewerRole members { user { id } role via { id } } } totalCount }
    groups { id members { id } managers { id } }
    jobs(first: 100) { nodes { id status user { id status } ${seesPeople ? 'cancelledBy { id }' : ''} } totalCount }
    one: user(id: $one) { id role status }
    ${seesPeople ? `users(first: 100) { nodes { id role status } totalCount }
    removed: users(filter: { status: REMOVED }, first: 100) { nodes { id status removedAt } totalCount }` : ''}
  } }`;
}

export interface ReadView {
  /** null: the workspace is null to them. */
  view: View | null;
  /** Problems of the answer's shape (errors other than the fields refused). */
  problems: string[];
  raw: GqlResult;
}

/**
 * What one viewer sees, read through the API. `role` is the role the model gives them (it
 * decides which document is sent); `withCancelledBy` whether jobs carry cancelledBy (the
 * service's tables have it).
 */
export async function readView(server: TestServer, workspaceId: string, token: string, role: WsRole | null, one: string, withCancelledBy: boolean): Promise<ReadView> {
  const res = await server.gql(viewQuery(role), { ws: workspaceId, one }, token);
  const problems: string[] = [];
  const ws = res.data?.workspace;
  if (!ws) return { view: null, problems, raw: res };
  // The only errors allowed: FORBIDDEN on a group's members or managers (D4, "see a group's managers") and on a
  // resource's members ("see its members"), each null.
  const refused = new Set<string>();
  for (const e of res.errors ?? []) {
    const path = e.path ?? [];
    const field = path.at(-1);
    const onGroup = path[1] === 'groups' && (field === 'members' || field === 'managers');
    const onResource = ['projects', 'datasets', 'ontologies'].includes(String(path[1])) && path[2] === 'nodes' && field === 'members';
    if (e.extensions?.code !== 'FORBIDDEN' || !(onGroup || onResource)) {
      problems.push(`unexpected error ${e.extensions?.code} at ${path.join('.')}: ${e.message}`);
      continue;
    }
    const object = onGroup ? ws.groups[Number(path[2])] : ws[path[1]].nodes[Number(path[3])];
    if (!object || object[field] !== null) problems.push(`FORBIDDEN at ${path.join('.')} but the field is not null`);
    else refused.add(`${object.id}.${field}`);
  }
  const ids = (list: Array<{ id: string }> | null) => (list === null ? null : list.map((x) => x.id).sort());
  const groups: View['groups'] = {};
  for (const g of ws.groups) {
    for (const field of ['members', 'managers'] as const) {
      if (g[field] === null && !refused.has(`${g.id}.${field}`)) problems.push(`group ${g.id}.${field} is null without a FORBIDDEN error`);
    }
    groups[g.id] = { members: ids(g.members), managers: ids(g.managers) };
  }
  type Member = { user: { id: string }; role: string; via: { id: string } | null };
  const list = (c: { nodes: Array<{ id: string; viewerRole: string | null; members: Member[] | null }>; totalCount: number }) => ({
    nodes: Object.fromEntries(
      c.nodes.map((n) => {
        if (n.members === null && !refused.has(`${n.id}.members`)) problems.push(`resource ${n.id}.members is null without a FORBIDDEN error`);
        const members = n.members === null ? null : n.members.map((m) => `${m.user.id} ${m.role} ${m.via?.id ?? '-'}`).sort();
        return [n.id, { viewerRole: n.viewerRole, members }];
      }),
    ),
    totalCount: c.totalCount,
  });
  const seesPeople = role !== 'TASKER';
  const view: View = {
    viewerRole: ws.viewerRole,
    resources: { PROJECT: list(ws.projects), DATASET: list(ws.datasets), ONTOLOGY: list(ws.ontologies) } as View['resources'],
    groups,
    jobs: {
      nodes: Object.fromEntries(
        ws.jobs.nodes.map((j: any) => [
          j.id,
          { status: j.status, user: { id: j.user.id, status: j.user.status }, ...(seesPeople && withCancelledBy ? { cancelledBy: j.cancelledBy?.id ?? null } : {}) },
        ]),
      ),
      totalCount: ws.jobs.totalCount,
    },
    one: ws.one,
    users: seesPeople ? { nodes: Object.fromEntries(ws.users.nodes.map((u: any) => [u.id, { role: u.role, status: u.status }])), totalCount: ws.users.totalCount } : null,
    removed: seesPeople ? { nodes: ws.removed.nodes.map((u: any) => u.id).sort(), totalCount: ws.removed.totalCount } : null,
  };
  if (seesPeople) {
    for (const u of ws.removed.nodes) if (u.status !== 'REMOVED' || !u.removedAt) problems.push(`users(filter: REMOVED) holds ${u.id} with status ${u.status}, removedAt ${u.removedAt}`);
  }
  return { view, problems, raw: res };
}

/** A TASKER asking for the list of people: refused (FORBIDDEN), the workspace null (its `users` is non-null). */
export async function taskerAsksForPeople(server: TestServer, workspaceId: string, token: string): Promise<string | null> {
  const res = await server.gql(`query($ws: ID!) { workspace(id: $ws) { users(first: 1) { totalCount } } }`, { ws: workspaceId }, token);
  const code = res.errors?.[0]?.extensions?.code;
  return code === 'FORBIDDEN' && res.data?.workspace === null ? null : `a TASKER's workspace.users answered ${JSON.stringify(res.errors ?? res.data)}`;
}
