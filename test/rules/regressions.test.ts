import { randomUUID } from 'node:crypto';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import {
  FEED,
  Q,
  directRole,
  feedCursor,
  follow,
  grant,
  group,
  groupManagerIds,
  groupMemberIds,
  masked,
  membership,
  ok,
  person,
  refused,
  resource,
  same,
  unchanged,
  workspaceState,
} from './support';

/**
 * Issue 13, "One rule everywhere": one describe per bullet at the top of the issue, each
 * running the attack the issue reproduced on main and asserting what docs/permissions.md
 * and the product decisions of issue 13 now require; every refusal also proves that the
 * workspace is exactly as it was (`unchanged`, reading the rows back).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string) => server.gql(query, variables, token);

describe('bullet 1: a WORKFORCE_MANAGER appoints group managers through createGroup(managerIds), although addGroupManagers is ADMIN-only', () => {
  it.each([
    ['managerIds alone', (m: string, _x: string) => ({ managerIds: [m] })],
    ['managerIds with memberIds', (m: string, x: string) => ({ memberIds: [x], managerIds: [m] })],
    ['themselves as manager', (_m: string, _x: string) => 'self' as const],
  ])('refuses createGroup with %s by a WORKFORCE_MANAGER (FORBIDDEN), writing nothing', async (_what, input) => {
    const { workspaceId } = await createWorkspace(server);
    const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
    const candidate = await person(server, workspaceId, 'MEMBER');
    const other = await person(server, workspaceId, 'MEMBER');
    const made = input(candidate.id, other.id);
    const extra = made === 'self' ? { managerIds: [wfm.id] } : made;
    const before = await workspaceState(server, workspaceId);
    const res = await gql(Q.createGroup, { input: { workspaceId, name: 'Night shift', ...extra } }, wfm.token);
    refused(res, 'FORBIDDEN', `createGroup(${JSON.stringify(Object.keys(extra))}) by a WORKFORCE_MANAGER`);
    await unchanged(server, workspaceId, before, 'createGroup(managerIds) by a WORKFORCE_MANAGER');
  });

  it('lets the WORKFORCE_MANAGER create it with memberIds, but appoint no manager afterwards (addGroupManagers, updateGroup(managerIds))', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
    const member = await person(server, workspaceId, 'TASKER');
    const candidate = await person(server, workspaceId, 'MEMBER');
    const made = ok(await gql(Q.createGroup, { input: { workspaceId, name: 'Day shift', memberIds: [member.id] } }, wfm.token), 'createGroup(memberIds) by a WORKFORCE_MANAGER');
    const groupId = made.createGroup.id;
    same(await groupMemberIds(server, groupId), [member.id], 'the members createGroup(memberIds) made');
    same(await groupManagerIds(server, groupId), [], 'the managers of a group a WORKFORCE_MANAGER made without managerIds');

    let before = await workspaceState(server, workspaceId);
    refused(await gql(Q.addGroupManagers, { input: { groupId, userIds: [candidate.id] } }, wfm.token), 'FORBIDDEN', 'addGroupManagers by the creating WORKFORCE_MANAGER');
    refused(await gql(Q.updateGroup, { input: { groupId, managerIds: [candidate.id] } }, wfm.token), 'FORBIDDEN', 'updateGroup(managerIds: [someone]) by the creating WORKFORCE_MANAGER');
    await unchanged(server, workspaceId, before, 'appointing a manager by the creating WORKFORCE_MANAGER');

    // Taking a manager off through updateGroup(managerIds: []) is removeGroupManagers: ADMIN only too.
    ok(await gql(Q.addGroupManagers, { input: { groupId, userIds: [candidate.id] } }, admin.token), 'addGroupManagers by the workspace ADMIN');
    before = await workspaceState(server, workspaceId);
    refused(await gql(Q.updateGroup, { input: { groupId, managerIds: [] } }, wfm.token), 'FORBIDDEN', 'updateGroup(managerIds: []) by the creating WORKFORCE_MANAGER');
    await unchanged(server, workspaceId, before, 'updateGroup(managerIds: []) by the creating WORKFORCE_MANAGER');
    same(await groupManagerIds(server, groupId), [candidate.id], 'the managers after the refused updateGroup');
  });

  it('still lets a workspace ADMIN create a group with managers in one call', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const candidate = await person(server, workspaceId, 'MEMBER');
    const made = ok(await gql(Q.createGroup, { input: { workspaceId, name: 'Leads', managerIds: [candidate.id] } }, admin.token), 'createGroup(managerIds) by an ADMIN');
    same(await groupManagerIds(server, made.createGroup.id), [candidate.id], 'the managers an ADMIN appointed through createGroup');
  });
});

describe('bullet 2: a WORKFORCE_MANAGER removes a TASKER who is the sole ADMIN of a dataset the WFM cannot see', () => {
  /** A TASKER, sole direct ADMIN of a dataset the WFM sees (as ADMIN through a group) and of one the WFM does not see. */
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
    const tasker = await person(server, workspaceId, 'TASKER');
    const bystander = await person(server, workspaceId, 'MEMBER');
    const visible = await resource(server, workspaceId, 'DATASET', 'Visible data', [tasker.id]);
    const hidden = await resource(server, workspaceId, 'DATASET', 'Hidden data 7f3a', [tasker.id]);
    await group(server, workspaceId, { name: 'WFM admins', members: [wfm.id], roles: [[visible, 'ADMIN']] });
    return { workspaceId, admin, wfm, tasker, bystander, visible, hidden };
  }
  const remove = (token: string, input: Record<string, unknown>) => gql(Q.removeUser, { input }, token);

  it('answers REPLACEMENT_REQUIRED naming only the dataset the WFM sees, with hiddenCount 1; nothing changes', async () => {
    const s = await setting();
    const before = await workspaceState(server, s.workspaceId);
    const res = await remove(s.wfm.token, { workspaceId: s.workspaceId, userId: s.tasker.id });
    const error = refused(res, 'REPLACEMENT_REQUIRED', 'removeUser of a sole resource ADMIN without replacement');
    same(error.extensions!.resources, [{ type: 'DATASET', id: s.visible, name: 'Visible data' }], 'extensions.resources (only the resources the caller sees)');
    same(error.extensions!.hiddenCount, 1, 'extensions.hiddenCount (the resources the caller does not see)');
    const text = JSON.stringify(res);
    if (text.includes(s.hidden) || text.includes('Hidden data 7f3a')) throw new Error(`the answer names the hidden dataset: ${text}`);
    await unchanged(server, s.workspaceId, before, 'REPLACEMENT_REQUIRED');
  });

  it('shows soleAdminOf to the WFM as the visible dataset plus hiddenCount 1, and to an ADMIN as both', async () => {
    const s = await setting();
    const SOLE = `query($w: ID!, $u: ID!) { workspace(id: $w) { user(id: $u) { soleAdminOf { resources { id } hiddenCount } } } }`;
    const asWfm = ok(await gql(SOLE, { w: s.workspaceId, u: s.tasker.id }, s.wfm.token), 'soleAdminOf read by the WFM').workspace.user.soleAdminOf;
    same(asWfm, { resources: [{ id: s.visible }], hiddenCount: 1 }, 'soleAdminOf as the WFM sees it');
    const asAdmin = ok(await gql(SOLE, { w: s.workspaceId, u: s.tasker.id }, s.admin.token), 'soleAdminOf read by the ADMIN').workspace.user.soleAdminOf;
    same({ ids: asAdmin.resources.map((r: any) => r.id).sort(), hiddenCount: asAdmin.hiddenCount }, { ids: [s.visible, s.hidden].sort(), hiddenCount: 0 }, 'soleAdminOf as the workspace ADMIN sees it');
  });

  it('refuses the WFM naming themselves as replacement (FORBIDDEN): they would become ADMIN of the hidden dataset; nothing changes', async () => {
    const s = await setting();
    const before = await workspaceState(server, s.workspaceId);
    const res = await remove(s.wfm.token, { workspaceId: s.workspaceId, userId: s.tasker.id, replacementUserId: s.wfm.id });
    refused(res, 'FORBIDDEN', 'removeUser naming the WFM themselves as replacement');
    await unchanged(server, s.workspaceId, before, 'removeUser naming the WFM themselves as replacement');
    same(await directRole(server, s.hidden, s.wfm.id), null, "the WFM's direct role on the hidden dataset");
  });

  it('refuses the WFM naming another non-ADMIN as replacement (FORBIDDEN); nothing changes', async () => {
    const s = await setting();
    const before = await workspaceState(server, s.workspaceId);
    const res = await remove(s.wfm.token, { workspaceId: s.workspaceId, userId: s.tasker.id, replacementUserId: s.bystander.id });
    refused(res, 'FORBIDDEN', 'removeUser naming a MEMBER as replacement, by a WFM');
    await unchanged(server, s.workspaceId, before, 'removeUser naming a MEMBER as replacement, by a WFM');
  });

  it('lets the WFM hand both datasets to a workspace ADMIN; the TASKER is REMOVED', async () => {
    const s = await setting();
    const res = await remove(s.wfm.token, { workspaceId: s.workspaceId, userId: s.tasker.id, replacementUserId: s.admin.id });
    const payload = ok(res, 'removeUser naming a workspace ADMIN as replacement, by a WFM').removeUser;
    same(payload.removedUserId, s.tasker.id, 'removedUserId');
    // `reassigned` is a list the WFM reads: it holds only what they may see.
    same(payload.reassigned.map((r: any) => r.id), [s.visible], 'reassigned, as the WFM may see it');
    same(await directRole(server, s.visible, s.admin.id), 'ADMIN', "the ADMIN's role on the visible dataset");
    same(await directRole(server, s.hidden, s.admin.id), 'ADMIN', "the ADMIN's role on the hidden dataset");
    same(await directRole(server, s.hidden, s.tasker.id), null, "the removed TASKER's role on the hidden dataset");
    const row = await membership(server, s.workspaceId, s.tasker.id);
    same({ status: row?.status, removed: row?.removed_at != null }, { status: 'REMOVED', removed: true }, "the removed TASKER's membership row");
  });
});

describe('bullet 3: two changeUserRole on one person in one document', () => {
  it('answers each field with the role it set, and the last one stays', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const subject = await person(server, workspaceId, 'TASKER');
    const res = await gql(
      `mutation($w: ID!, $u: ID!) {
        first: changeUserRole(input: { workspaceId: $w, userId: $u, role: MEMBER }) { id role }
        second: changeUserRole(input: { workspaceId: $w, userId: $u, role: WORKFORCE_MANAGER }) { id role }
        third: changeUserRole(input: { workspaceId: $w, userId: $u, role: TASKER }) { id role }
      }`,
      { w: workspaceId, u: subject.id },
      admin.token,
    );
    const data = ok(res, 'three changeUserRole in one document');
    same(
      [data.first.role, data.second.role, data.third.role],
      ['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'],
      'the role each aliased changeUserRole answered (each its own new role)',
    );
    same((await membership(server, workspaceId, subject.id))?.role, 'TASKER', 'the role stored after the document');
    const audit = await server.db.query(
      `SELECT details->>'from' AS "from", details->>'to' AS "to" FROM audit_log WHERE workspace_id = $1 AND action = 'changeUserRole' AND target_id = $2 ORDER BY id`,
      [workspaceId, subject.id],
    );
    same(audit, [
      { from: 'TASKER', to: 'MEMBER' },
      { from: 'MEMBER', to: 'WORKFORCE_MANAGER' },
      { from: 'WORKFORCE_MANAGER', to: 'TASKER' },
    ], 'the audit entries of the three changes');
  });
});

describe('bullet 4: a group manager adds themselves as a member and so gets the group’s resource roles', () => {
  async function setting(managerRole: 'MEMBER' | 'WORKFORCE_MANAGER' = 'MEMBER') {
    const { workspaceId, admin } = await createWorkspace(server);
    const manager = await person(server, workspaceId, managerRole);
    const member = await person(server, workspaceId, 'MEMBER');
    const newcomer = await person(server, workspaceId, 'MEMBER');
    const project = await resource(server, workspaceId, 'PROJECT', 'Group project', [admin.id]);
    const groupId = await group(server, workspaceId, { members: [member.id], managers: [manager.id], createdBy: admin.id, roles: [[project, 'ANNOTATOR']] });
    return { workspaceId, admin, manager, member, newcomer, project, groupId };
  }
  const projectsOf = async (p: { token: string }, workspaceId: string) =>
    ok(await gql(`query($w: ID!) { workspace(id: $w) { projects(first: 50) { nodes { id } totalCount } } }`, { w: workspaceId }, p.token), 'reading projects').workspace.projects;

  it.each([
    ['a MEMBER manager, alone', 'MEMBER', false],
    ['a MEMBER manager, among others', 'MEMBER', true],
    ['a WORKFORCE_MANAGER manager who did not create the group', 'WORKFORCE_MANAGER', false],
  ] as const)('refuses %s adding themselves (FORBIDDEN); nothing changes and they see none of the group’s projects', async (_who, role, withOthers) => {
    const s = await setting(role);
    const before = await workspaceState(server, s.workspaceId);
    const userIds = withOthers ? [s.newcomer.id, s.manager.id] : [s.manager.id];
    refused(await gql(Q.addGroupMembers, { input: { groupId: s.groupId, userIds } }, s.manager.token), 'FORBIDDEN', 'addGroupMembers of themselves by a group manager');
    await unchanged(server, s.workspaceId, before, 'addGroupMembers of themselves by a group manager');
    same(await projectsOf(s.manager, s.workspaceId), { nodes: [], totalCount: 0 }, "the manager's projects after the refusal");
  });

  it('lets the manager add other people', async () => {
    const s = await setting();
    ok(await gql(Q.addGroupMembers, { input: { groupId: s.groupId, userIds: [s.newcomer.id] } }, s.manager.token), 'addGroupMembers of someone else by a group manager');
    same(await groupMemberIds(server, s.groupId), [s.member.id, s.newcomer.id].sort(), 'the members after the manager added someone');
  });

  it('lets a workspace ADMIN who manages the group, and the WORKFORCE_MANAGER who created it, add themselves', async () => {
    const s = await setting();
    const creator = await person(server, s.workspaceId, 'WORKFORCE_MANAGER');
    const g2 = await group(server, s.workspaceId, { managers: [creator.id], createdBy: creator.id });
    ok(await gql(Q.addGroupMembers, { input: { groupId: g2, userIds: [creator.id] } }, creator.token), 'the creating WFM (also its manager) adding themselves');
    same(await groupMemberIds(server, g2), [creator.id], 'members after the creating WFM added themselves');
    await server.db.query(`INSERT INTO group_managers (group_id, user_id) VALUES ($1, $2)`, [s.groupId, s.admin.id]);
    ok(await gql(Q.addGroupMembers, { input: { groupId: s.groupId, userIds: [s.admin.id] } }, s.admin.token), 'a workspace ADMIN who manages the group adding themselves');
  });
});

describe('bullet 5: an ADMIN demotes another ADMIN and then removes them', () => {
  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses demoting another ADMIN to %s (FORBIDDEN), so the removal that follows is refused too; nothing changes', async (role) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await person(server, workspaceId, 'ADMIN');
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.changeUserRole, { input: { workspaceId, userId: other.id, role } }, admin.token), 'FORBIDDEN', `changeUserRole of another ADMIN to ${role}`);
    refused(await gql(Q.removeUser, { input: { workspaceId, userId: other.id } }, admin.token), 'FORBIDDEN', 'removeUser of another ADMIN (after the refused demotion)');
    await unchanged(server, workspaceId, before, 'demote-then-remove of another ADMIN');
    same(await membership(server, workspaceId, other.id).then((m) => [m?.role, m?.status]), ['ADMIN', 'JOINED'], "the other ADMIN's membership");
  });

  it('lets an ADMIN step down themselves while another JOINED ADMIN remains', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await person(server, workspaceId, 'ADMIN');
    const res = ok(await gql(Q.changeUserRole, { input: { workspaceId, userId: admin.id, role: 'MEMBER' } }, admin.token), 'an ADMIN stepping down');
    same(res.changeUserRole.role, 'MEMBER', 'the role answered after stepping down');
  });

  it('refuses the last JOINED ADMIN stepping down (INVARIANT), an INVITED ADMIN not counting; nothing changes', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await person(server, workspaceId, 'ADMIN', 'INVITED');
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.changeUserRole, { input: { workspaceId, userId: admin.id, role: 'MEMBER' } }, admin.token), 'INVARIANT', 'the last JOINED ADMIN stepping down');
    await unchanged(server, workspaceId, before, 'the last JOINED ADMIN stepping down');
  });
});

describe('bullet 6: a DECLINED person given resource ADMIN, becoming a resource’s only direct ADMIN', () => {
  it.each([
    ['the project ADMIN', 'owner'],
    ['a workspace ADMIN', 'admin'],
  ] as const)('refuses %s giving a DECLINED person ADMIN (BAD_USER_INPUT, field input.userId); nothing changes', async (_who, actorKey) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await person(server, workspaceId, 'MEMBER');
    const project = ok(await gql(Q.createProject, { input: { workspaceId, name: 'P' } }, owner.token), 'createProject').createProject.id;
    const declined = await person(server, workspaceId, 'MEMBER', 'DECLINED');
    const actor = actorKey === 'owner' ? owner : admin;
    const before = await workspaceState(server, workspaceId);
    const res = await gql(Q.assignUser, { input: { workspaceId, userId: declined.id, resourceType: 'PROJECT', resourceIds: [project], role: 'ADMIN' } }, actor.token);
    refused(res, 'BAD_USER_INPUT', 'assignUser(ADMIN) of a DECLINED person', 'input.userId');
    await unchanged(server, workspaceId, before, 'assignUser(ADMIN) of a DECLINED person');
    // With no second ADMIN, the owner still cannot leave the project.
    const leave = await gql(Q.unassignUser, { input: { workspaceId, userId: owner.id, resourceType: 'PROJECT', resourceId: project } }, owner.token);
    refused(leave, 'INVARIANT', 'the last direct ADMIN unassigning themselves');
    same(await directRole(server, project, owner.id), 'ADMIN', "the owner's role after the refused unassignment");
  });

  it('does not count a DECLINED direct ADMIN (left from before) as the ADMIN a resource keeps', async () => {
    const { workspaceId } = await createWorkspace(server);
    const owner = await person(server, workspaceId, 'MEMBER');
    const declined = await person(server, workspaceId, 'MEMBER', 'DECLINED');
    const project = await resource(server, workspaceId, 'PROJECT', 'Legacy', [owner.id, declined.id]);
    const before = await workspaceState(server, workspaceId);
    refused(
      await gql(Q.unassignUser, { input: { workspaceId, userId: owner.id, resourceType: 'PROJECT', resourceId: project } }, owner.token),
      'INVARIANT',
      'unassigning the only INVITED-or-JOINED direct ADMIN while a DECLINED one remains',
    );
    refused(
      await gql(Q.assignUser, { input: { workspaceId, userId: owner.id, resourceType: 'PROJECT', resourceIds: [project], role: 'ANNOTATOR' } }, owner.token),
      'INVARIANT',
      'demoting the only INVITED-or-JOINED direct ADMIN while a DECLINED one remains',
    );
    await unchanged(server, workspaceId, before, 'taking the last INVITED-or-JOINED ADMIN away');
  });

  it('still lets an INVITED person be given ADMIN', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const project = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
    const invited = await person(server, workspaceId, 'MEMBER', 'INVITED');
    ok(await gql(Q.assignUser, { input: { workspaceId, userId: invited.id, resourceType: 'PROJECT', resourceIds: [project], role: 'ADMIN' } }, admin.token), 'assignUser(ADMIN) of an INVITED person');
    same(await directRole(server, project, invited.id), 'ADMIN', "the INVITED person's role");
  });
});

describe('bullet 7a: a TASKER who is a resource ADMIN tells member ids from unknown ids through assignUser / addGroupMembers', () => {
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const tasker = await person(server, workspaceId, 'TASKER');
    const colleague = await person(server, workspaceId, 'MEMBER');
    const other = await createWorkspace(server);
    const foreigner = await person(server, other.workspaceId, 'MEMBER');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Tasker data', [admin.id, tasker.id]);
    await grant(server, workspaceId, dataset, colleague.id, 'USER');
    return { workspaceId, admin, tasker, colleague, foreigner, dataset };
  }

  it('answers assignUser and unassignUser for a member, an unknown id and another workspace’s person alike (NOT_FOUND); nothing changes', async () => {
    const s = await setting();
    const unknown = randomUUID();
    const before = await workspaceState(server, s.workspaceId);
    const assign = (userId: string) =>
      gql(Q.assignUser, { input: { workspaceId: s.workspaceId, userId, resourceType: 'DATASET', resourceIds: [s.dataset], role: 'USER' } }, s.tasker.token);
    const unassign = (userId: string) => gql(Q.unassignUser, { input: { workspaceId: s.workspaceId, userId, resourceType: 'DATASET', resourceId: s.dataset } }, s.tasker.token);
    for (const [op, run] of [['assignUser', assign], ['unassignUser', unassign]] as const) {
      const answers = {
        member: await run(s.colleague.id),
        unknown: await run(unknown),
        foreign: await run(s.foreigner.id),
      };
      refused(answers.member, 'NOT_FOUND', `${op} by a TASKER dataset ADMIN naming a member of the workspace`);
      const m = masked(answers.member, { person: s.colleague.id });
      same(masked(answers.unknown, { person: unknown }), m, `${op} by a TASKER: the answer for an unknown id must equal the answer for a member's id`);
      same(masked(answers.foreign, { person: s.foreigner.id }), m, `${op} by a TASKER: the answer for another workspace's person must equal the answer for a member's id`);
    }
    await unchanged(server, s.workspaceId, before, 'assignUser / unassignUser probes by a TASKER');
  });

  it.each([
    ['a member of the group', 'member', 'FORBIDDEN'],
    ['a manager of the group (left from before the rule)', 'manager', 'FORBIDDEN'],
    ['someone who does not see the group', 'none', 'NOT_FOUND'],
  ] as const)('answers addGroupMembers by a TASKER who is %s the same for a member id and an unknown id (%s); nothing changes', async (_who, tie, code) => {
    const s = await setting();
    const groupId = await group(server, s.workspaceId, {
      members: tie === 'member' ? [s.tasker.id] : [],
      managers: tie === 'manager' ? [s.tasker.id] : [],
      createdBy: s.admin.id,
    });
    const [u1, u2] = [randomUUID(), randomUUID()];
    const before = await workspaceState(server, s.workspaceId);
    const add = (userIds: string[]) => gql(Q.addGroupMembers, { input: { groupId, userIds } }, s.tasker.token);
    const forMember = await add([s.colleague.id]);
    refused(forMember, code, `addGroupMembers by a TASKER (${tie}) naming a member of the workspace`);
    same(masked(await add([u1]), { person: u1 }), masked(forMember, { person: s.colleague.id }), 'addGroupMembers by a TASKER: the answer for an unknown id must equal the answer for a member id');
    // A list mixing the two tells nothing either: it reads as a list of two unknown ids.
    same(
      masked(await add([s.colleague.id, u1]), { a: s.colleague.id, b: u1 }),
      masked(await add([u2, u1]), { a: u2, b: u1 }),
      'addGroupMembers by a TASKER: [member, unknown] must answer as [unknown, unknown]',
    );
    await unchanged(server, s.workspaceId, before, 'addGroupMembers probes by a TASKER');
  });
});

describe('bullet 7b: a MEMBER who is a resource ADMIN assigns a group they cannot see, and reads its members through project.members.via', () => {
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await person(server, workspaceId, 'MEMBER');
    const project = ok(await gql(Q.createProject, { input: { workspaceId, name: 'Owned' } }, owner.token), 'createProject').createProject.id;
    const hiddenMember = await person(server, workspaceId, 'MEMBER');
    const hidden = await group(server, workspaceId, { name: 'Hidden team', members: [hiddenMember.id], createdBy: admin.id });
    const visibleMember = await person(server, workspaceId, 'MEMBER');
    const visible = await group(server, workspaceId, { name: 'Own team', members: [owner.id, visibleMember.id], createdBy: admin.id });
    return { workspaceId, admin, owner, project, hidden, hiddenMember, visible, visibleMember };
  }

  it('answers assignGroup of a group the resource ADMIN does not see as for an unknown group (NOT_FOUND); nothing changes', async () => {
    const s = await setting();
    const unknown = randomUUID();
    const before = await workspaceState(server, s.workspaceId);
    const assign = (groupId: string) => gql(Q.assignGroup, { input: { groupId, resourceType: 'PROJECT', resourceIds: [s.project], role: 'ANNOTATOR' } }, s.owner.token);
    const forHidden = await assign(s.hidden);
    refused(forHidden, 'NOT_FOUND', 'assignGroup of a group the project ADMIN does not see');
    same(masked(forHidden, { group: s.hidden }), masked(await assign(unknown), { group: unknown }), 'assignGroup: a hidden group must answer as an unknown one');
    await unchanged(server, s.workspaceId, before, 'assignGroup of a hidden group');
  });

  it('answers unassignGroup of a hidden group holding a role on the project as NOT_FOUND; the grant stays', async () => {
    const s = await setting();
    ok(await gql(Q.assignGroup, { input: { groupId: s.hidden, resourceType: 'PROJECT', resourceIds: [s.project], role: 'ANNOTATOR' } }, s.admin.token), 'assignGroup by the workspace ADMIN');
    const before = await workspaceState(server, s.workspaceId);
    refused(await gql(Q.unassignGroup, { input: { groupId: s.hidden, resourceType: 'PROJECT', resourceId: s.project } }, s.owner.token), 'NOT_FOUND', 'unassignGroup of a hidden group');
    await unchanged(server, s.workspaceId, before, 'unassignGroup of a hidden group');
  });

  it('leaves grants through the hidden group out of project.members and WorkspaceUser.assignments; via never names it', async () => {
    const s = await setting();
    for (const [groupId, role] of [[s.hidden, 'ANNOTATOR'], [s.visible, 'REVIEWER']]) {
      ok(await gql(Q.assignGroup, { input: { groupId, resourceType: 'PROJECT', resourceIds: [s.project], role } }, s.admin.token), 'assignGroup by the workspace ADMIN');
    }
    const MEMBERS = `query($w: ID!, $p: ID!) { workspace(id: $w) { project(id: $p) { members { user { id } role via { id name } } } } }`;
    const rows = (res: any) =>
      res.workspace.project.members.map((m: any) => `${m.user.id}:${m.role}:${m.via?.id ?? 'direct'}`).sort();

    const asOwner = ok(await gql(MEMBERS, { w: s.workspaceId, p: s.project }, s.owner.token), 'project.members read by the project ADMIN');
    same(rows(asOwner), [
      `${s.owner.id}:ADMIN:direct`,
      `${s.owner.id}:REVIEWER:${s.visible}`,
      `${s.visibleMember.id}:REVIEWER:${s.visible}`,
    ].sort(), 'project.members as the project ADMIN (a MEMBER) sees them: nothing through the hidden group');
    if (JSON.stringify(asOwner).includes(s.hidden) || JSON.stringify(asOwner).includes(s.hiddenMember.id)) {
      throw new Error(`project.members names the hidden group or its member: ${JSON.stringify(asOwner)}`);
    }

    const asAdmin = ok(await gql(MEMBERS, { w: s.workspaceId, p: s.project }, s.admin.token), 'project.members read by the workspace ADMIN');
    if (!rows(asAdmin).includes(`${s.hiddenMember.id}:ANNOTATOR:${s.hidden}`)) {
      throw new Error(`the workspace ADMIN must see the grant through the hidden group; got ${JSON.stringify(rows(asAdmin))}`);
    }

    const ASSIGNMENTS = `query($w: ID!, $u: ID!) { workspace(id: $w) { user(id: $u) { assignments { resource { id } role via { id } } } } }`;
    const of = async (userId: string) =>
      ok(await gql(ASSIGNMENTS, { w: s.workspaceId, u: userId }, s.owner.token), 'WorkspaceUser.assignments read by the project ADMIN').workspace.user.assignments;
    same(await of(s.hiddenMember.id), [], "the hidden group's member's assignments, as the project ADMIN sees them");
    same(await of(s.visibleMember.id), [{ resource: { id: s.project }, role: 'REVIEWER', via: { id: s.visible } }], "a visible group's member's assignments");
  });
});

describe('bullet 8: a TASKER selecting groups { members } gets workspace: null', () => {
  it('answers members: null with FORBIDDEN at a path ending in "members", and the workspace and its groups intact', async () => {
    const { workspaceId } = await createWorkspace(server, 'Tasker ws');
    const tasker = await person(server, workspaceId, 'TASKER');
    const colleague = await person(server, workspaceId, 'MEMBER');
    const groupId = await group(server, workspaceId, { name: 'Crew', members: [tasker.id, colleague.id] });
    const queries = [
      [`query($w: ID!) { workspace(id: $w) { id name groups(first: 10) { id name members(first: 10) { id } } } }`, (d: any) => d.workspace.groups],
      [`query($w: ID!, $g: ID!) { workspace(id: $w) { id name group(id: $g) { id name members { id } } } }`, (d: any) => [d.workspace.group]],
      [`query($w: ID!, $u: ID!) { workspace(id: $w) { id name user(id: $u) { id groups { id name members(first: 10) { id } } } } }`, (d: any) => d.workspace.user.groups],
    ] as const;
    for (const [query, groupsOf] of queries) {
      const res = await gql(query, { w: workspaceId, g: groupId, u: tasker.id }, tasker.token);
      if (!res.data?.workspace) throw new Error(`a TASKER selecting members lost the workspace: ${JSON.stringify(res)}`);
      same({ id: res.data.workspace.id, name: res.data.workspace.name }, { id: workspaceId, name: 'Tasker ws' }, 'the workspace beside the refused members');
      same(groupsOf(res.data), [{ id: groupId, name: 'Crew', members: null }], 'the groups, with members null');
      const errors = res.errors ?? [];
      if (!errors.length || !errors.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'members')) {
        throw new Error(`expected FORBIDDEN errors at paths ending in "members", got ${JSON.stringify(errors)}`);
      }
    }
  });

  it('answers a TASKER who is a project ADMIN projects { members } with members: null (FORBIDDEN), the workspace and the projects intact', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Tasker ws');
    const tasker = await person(server, workspaceId, 'TASKER');
    const project = await resource(server, workspaceId, 'PROJECT', 'Tasker project', [admin.id, tasker.id]);
    const res = await gql(`query($w: ID!) { workspace(id: $w) { id projects(first: 10) { nodes { id name members(first: 10) { user { id } } } } } }`, { w: workspaceId }, tasker.token);
    if (!res.data?.workspace) throw new Error(`a TASKER selecting project members lost the workspace: ${JSON.stringify(res)}`);
    same(res.data.workspace.projects.nodes, [{ id: project, name: 'Tasker project', members: null }], 'the projects, with members null');
    const errors = res.errors ?? [];
    if (!errors.length || !errors.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'members')) {
      throw new Error(`expected FORBIDDEN errors at paths ending in "members", got ${JSON.stringify(errors)}`);
    }
  });
});

describe('bullet 9: a removed person’s PROCESSING jobs stay PROCESSING forever, and job.user shows them JOINED', () => {
  it('cancels their PROCESSING jobs (cancelledBy the remover), delivers the CANCELLED events, and shows job.user REMOVED with removedAt', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const starter = await person(server, workspaceId, 'MEMBER');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Imports', [admin.id, starter.id]);
    const running = ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, starter.token), 'startJob').startJob;
    const done = ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, starter.token), 'startJob').startJob;
    ok(await gql(`mutation($id: ID!) { completeJob(jobId: $id) { id } }`, { id: done.id }, starter.token), 'completeJob');

    const feed = follow(server.ws(admin.token), FEED, { workspaceId, after: await feedCursor(server, admin, workspaceId) });
    // The feed is live: a progress report of the running job reaches it.
    ok(await gql(Q.reportJobProgress, { input: { jobId: running.id, progress: 0.5 } }, starter.token), 'reportJobProgress');
    await feed.waitFor(() => feed.events.some((e) => e.jobEvents.job.id === running.id), 'the progress event on the ADMIN’s feed (the feed is live)');

    ok(await gql(Q.removeUser, { input: { workspaceId, userId: starter.id } }, admin.token), 'removeUser of the starter');

    const JOB = `query($w: ID!, $j: ID!) { workspace(id: $w) { job(id: $j) { id status cancelledBy { id } user { id status removedAt } } } }`;
    const job = ok(await gql(JOB, { w: workspaceId, j: running.id }, admin.token), 'reading the cancelled job').workspace.job;
    same(
      { status: job.status, cancelledBy: job.cancelledBy, user: { id: job.user.id, status: job.user.status, removed: job.user.removedAt != null } },
      { status: 'CANCELLED', cancelledBy: { id: admin.id }, user: { id: starter.id, status: 'REMOVED', removed: true } },
      'the removed person’s PROCESSING job',
    );
    const finished = ok(await gql(JOB, { w: workspaceId, j: done.id }, admin.token), 'reading the finished job').workspace.job;
    same({ status: finished.status, cancelledBy: finished.cancelledBy }, { status: 'SUCCESS', cancelledBy: null }, 'the removed person’s finished job');

    await feed.waitFor(
      () => feed.events.some((e) => e.jobEvents.job.id === running.id && e.jobEvents.status === 'CANCELLED'),
      'the CANCELLED event of the removed person’s PROCESSING job on the ADMIN’s feed',
    );
    if (feed.events.some((e) => e.jobEvents.job.id === done.id)) throw new Error(`the finished job got an event: ${JSON.stringify(feed.events)}`);
    const rows = await server.db.query(`SELECT id, status FROM jobs WHERE user_id = $1 ORDER BY id`, [starter.id]);
    same(rows.filter((r: any) => r.status === 'PROCESSING'), [], 'PROCESSING jobs of the removed person left in the table');
  });
});

describe('bullet 10: look-alike names (full-width letters, zero-width spaces) pass as different tag/group names', () => {
  type Kind = 'group' | 'project tag' | 'workspace issue tag' | 'project issue tag';
  async function make(kind: Kind, workspaceId: string, admin: { token: string }, name: string, projectId: string) {
    switch (kind) {
      case 'group':
        return gql(Q.createGroup, { input: { workspaceId, name } }, admin.token);
      case 'project tag':
        return gql(Q.createProjectTag, { input: { workspaceId, name } }, admin.token);
      case 'workspace issue tag':
        return gql(Q.createIssueTag, { input: { workspaceId, name } }, admin.token);
      case 'project issue tag':
        return gql(Q.createIssueTag, { input: { workspaceId, name, projectId } }, admin.token);
    }
  }
  const kinds: Kind[] = ['group', 'project tag', 'workspace issue tag', 'project issue tag'];
  const clashes: Array<[string, string]> = [
    ['full-width letters', 'Ｌａｂｅｌｓ'],
    ['another case with spaces around', '  LABELS '],
    ['full-width letters in another case with spaces around', ' ＬＡＢＥＬＳ  '],
  ];
  // In the middle of the name: trimming (JavaScript's trim() takes U+2028, U+2029 and U+FEFF off the ends) cannot hide them.
  const malformed: Array<[string, string]> = [
    ['a zero-width space (U+200B)', 'la\u200Bbels'],
    ['a zero-width joiner (U+200D)', 'lab\u200Dels'],
    ['a line separator (U+2028)', 'lab\u2028els'],
    ['a paragraph separator (U+2029)', 'lab\u2029els'],
    ['a byte-order mark (U+FEFF)', 'la\uFEFFbels'],
    ['a soft hyphen (U+00AD)', 'la\u00ADbels'],
    ['a control character (U+0007)', 'la\u0007bels'],
  ];

  it.each(kinds.flatMap((k) => clashes.map(([what, name]) => [k, what, name] as const)))(
    'a %s named with %s clashes with "labels" (CONFLICT); nothing changes',
    async (kind, what, name) => {
      const { workspaceId, admin } = await createWorkspace(server);
      const projectId = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
      ok(await make(kind, workspaceId, admin, 'labels', projectId), `creating the ${kind} "labels"`);
      const before = await workspaceState(server, workspaceId);
      refused(await make(kind, workspaceId, admin, name, projectId), 'CONFLICT', `a ${kind} named with ${what} (${JSON.stringify(name)}) beside "labels"`);
      await unchanged(server, workspaceId, before, `a ${kind} named with ${what}`);
    },
  );

  it.each(kinds.flatMap((k) => malformed.map(([what, name]) => [k, what, name] as const)))(
    'a %s named with %s is BAD_USER_INPUT (field input.name); nothing changes',
    async (kind, what, name) => {
      const { workspaceId, admin } = await createWorkspace(server);
      const projectId = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
      ok(await make(kind, workspaceId, admin, 'labels', projectId), `creating the ${kind} "labels"`);
      const before = await workspaceState(server, workspaceId);
      refused(await make(kind, workspaceId, admin, name, projectId), 'BAD_USER_INPUT', `a ${kind} named with ${what} (${JSON.stringify(name)})`, 'input.name');
      await unchanged(server, workspaceId, before, `a ${kind} named with ${what}`);
    },
  );

  it.each(kinds)('still tells apart %s names that differ', async (kind) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
    ok(await make(kind, workspaceId, admin, 'labels', projectId), `creating the ${kind} "labels"`);
    ok(await make(kind, workspaceId, admin, 'labels 2', projectId), `creating the ${kind} "labels 2" beside "labels"`);
  });
});
