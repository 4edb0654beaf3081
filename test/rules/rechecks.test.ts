import { createWorkspace } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { Q, answer, directRole, grant, group, groupMemberIds, membership, ok, person, resource, same, type Person } from './support';

/**
 * "Rules are checked again inside the transaction, against the rows as they are under its
 * locks, for every mutation" (docs/permissions.md; product decision 15 of issue 13). Races whose loser
 * must be refused, run many times; after each round the outcome must be one that some serial
 * order of the same requests allows. The argument is timestamp-free: it rests on the audit
 * log's order (audit entries are written inside each mutation's transaction, after its locks
 * are taken, so a mutation that commits after another's change has the later entry).
 *
 * Only PostgreSQL runs transactions concurrently (PGlite is one serialised session), so these
 * tests need TEST_DATABASE_URL and are skipped without it.
 */
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

let server: TestServer;
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string) => server.gql(query, variables, token);
const codeOf = (res: GqlResult) => (res.errors?.length ? (res.errors[0].extensions?.code ?? 'error') : 'ok');
const ROUNDS = 8;

onPostgres('re-checks under concurrency (PostgreSQL)', () => {
  it('refuses every assignUser of a TEAM_MANAGER that would commit after their demotion (audit order), in every round', async () => {
    const tally = { committed: 0, refused: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { workspaceId } = await createWorkspace(server);
      const owner = await person(server, workspaceId, 'MEMBER');
      const tm = await person(server, workspaceId, 'MEMBER');
      const project = await resource(server, workspaceId, 'PROJECT', `Race ${round}`, [owner.id]);
      await grant(server, workspaceId, project, tm.id, 'TEAM_MANAGER');
      const subjects: Person[] = [];
      for (let i = 0; i < 12; i++) subjects.push(await person(server, workspaceId, 'MEMBER'));

      const assign = (actorToken: string, userId: string, role: string) =>
        gql(Q.assignUser, { input: { workspaceId, userId, resourceType: 'PROJECT', resourceIds: [project], role } }, actorToken);
      const byTm = subjects.map((s) => assign(tm.token, s.id, 'ANNOTATOR'));
      const demotion = assign(owner.token, tm.id, 'REVIEWER');
      const results = await Promise.all(byTm);
      ok(await demotion, `round ${round}: the demotion of the TEAM_MANAGER`);

      const audit: Array<{ id: string; actor_id: string; user_id: string }> = await server.db.query(
        `SELECT id::text, actor_id, details->>'userId' AS user_id FROM audit_log WHERE workspace_id = $1 AND action = 'assignUser' ORDER BY id`,
        [workspaceId],
      );
      const demotedAt = audit.find((e) => e.actor_id === owner.id && e.user_id === tm.id);
      if (!demotedAt) throw new Error(`round ${round}: no audit entry of the demotion: ${JSON.stringify(audit)}`);
      const late = audit.filter((e) => e.actor_id === tm.id && BigInt(e.id) > BigInt(demotedAt.id));
      if (late.length) {
        throw new Error(`round ${round}: ${late.length} assignment(s) by the TEAM_MANAGER committed after their demotion (audit ids ${late.map((e) => e.id)} > ${demotedAt.id})`);
      }
      for (let i = 0; i < subjects.length; i++) {
        const code = codeOf(results[i]);
        const stored = await directRole(server, project, subjects[i].id);
        if (code === 'ok') {
          tally.committed++;
          same(stored, 'ANNOTATOR', `round ${round}: the role of a subject whose assignment was answered ok`);
        } else {
          tally.refused++;
          if (code !== 'FORBIDDEN') throw new Error(`round ${round}: an assignment by the demoted TEAM_MANAGER must be FORBIDDEN, got ${answer(results[i])}`);
          same(stored, null, `round ${round}: the role of a subject whose assignment was refused`);
        }
      }
      same(audit.filter((e) => e.actor_id === tm.id).length, results.filter((r) => codeOf(r) === 'ok').length, `round ${round}: audit entries by the TEAM_MANAGER vs assignments answered ok`);
      same(await directRole(server, project, tm.id), 'REVIEWER', `round ${round}: the TEAM_MANAGER's role after the race`);
    }
    // Which side wins each race is up to the scheduler; both outcomes are legal, so nothing is asserted on the tally.
    // eslint-disable-next-line no-console
    console.info(`TEAM_MANAGER race: ${tally.committed} assignments committed before a demotion, ${tally.refused} refused after it`);
  });

  it('lets exactly one of "a WORKFORCE_MANAGER removes a TASKER" and "an ADMIN makes that TASKER a MEMBER" through, in every round', async () => {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const { workspaceId, admin } = await createWorkspace(server);
      const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
      const tasker = await person(server, workspaceId, 'TASKER');
      const [removal, promotion] = await Promise.all([
        gql(Q.removeUser, { input: { workspaceId, userId: tasker.id } }, wfm.token),
        gql(Q.changeUserRole, { input: { workspaceId, userId: tasker.id, role: 'MEMBER' } }, admin.token),
      ]);
      const row = await membership(server, workspaceId, tasker.id);
      const outcome = [codeOf(removal), codeOf(promotion)].join(' / ');
      // Removal first: the promotion meets a REMOVED person (NOT_FOUND). Promotion first: the WFM may not remove a MEMBER (FORBIDDEN).
      // (That a removed person's status reads REMOVED is decision 1's test, in decisions.test.ts; here: who won.)
      const legal: Record<string, { role: string; removed: boolean }> = {
        'ok / NOT_FOUND': { role: 'TASKER', removed: true },
        'FORBIDDEN / ok': { role: 'MEMBER', removed: false },
      };
      if (!legal[outcome]) {
        throw new Error(`round ${round}: answers (removeUser / changeUserRole) = ${outcome} is no serial order's; removal ${answer(removal)}; promotion ${answer(promotion)}; row ${JSON.stringify(row)}`);
      }
      same({ role: row?.role, removed: row?.removed_at != null }, legal[outcome], `round ${round}: the TASKER's membership after "${outcome}"`);
    }
  });

  it('refuses every addGroupMembers of a manager that would commit after they were taken off as manager (audit order)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { workspaceId, admin } = await createWorkspace(server);
      const manager = await person(server, workspaceId, 'MEMBER');
      const groupId = await group(server, workspaceId, { managers: [manager.id], createdBy: admin.id });
      const newcomers: Person[] = [];
      for (let i = 0; i < 10; i++) newcomers.push(await person(server, workspaceId, 'MEMBER'));
      const adds = newcomers.map((n) => gql(Q.addGroupMembers, { input: { groupId, userIds: [n.id] } }, manager.token));
      const takenOff = gql(Q.removeGroupManagers, { input: { groupId, userIds: [manager.id] } }, admin.token);
      const results = await Promise.all(adds);
      ok(await takenOff, `round ${round}: removeGroupManagers`);

      const audit: Array<{ id: string; action: string; actor_id: string }> = await server.db.query(
        `SELECT id::text, action, actor_id FROM audit_log WHERE workspace_id = $1 AND target_id = $2 AND action IN ('addGroupMembers', 'removeGroupManagers') ORDER BY id`,
        [workspaceId, groupId],
      );
      const off = audit.find((e) => e.action === 'removeGroupManagers');
      if (!off) throw new Error(`round ${round}: no audit entry of removeGroupManagers`);
      const late = audit.filter((e) => e.action === 'addGroupMembers' && e.actor_id === manager.id && BigInt(e.id) > BigInt(off.id));
      if (late.length) throw new Error(`round ${round}: ${late.length} addGroupMembers by the former manager committed after they were taken off`);
      const answeredOk = newcomers.filter((_n, i) => codeOf(results[i]) === 'ok').map((n) => n.id).sort();
      same(await groupMemberIds(server, groupId), answeredOk, `round ${round}: the group's members are exactly those whose addition was answered ok`);
      for (const r of results) {
        if (!['ok', 'FORBIDDEN', 'NOT_FOUND'].includes(codeOf(r))) throw new Error(`round ${round}: unexpected answer ${answer(r)}`);
      }
    }
  });

  it('never deadlocks when roles are given to a group while its members change (locks in one order: groups before resources)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { workspaceId, admin } = await createWorkspace(server);
      const members: Person[] = [];
      for (let i = 0; i < 6; i++) members.push(await person(server, workspaceId, 'MEMBER'));
      const projects = [await resource(server, workspaceId, 'PROJECT', `A ${round}`, [admin.id]), await resource(server, workspaceId, 'PROJECT', `B ${round}`, [admin.id])];
      const groupId = await group(server, workspaceId, { members: members.map((m) => m.id), createdBy: admin.id });
      await gql(Q.assignGroup, { input: { groupId, resourceType: 'PROJECT', resourceIds: projects, role: 'ANNOTATOR' } }, admin.token);
      const calls = members.flatMap((m, i) => [
        gql(Q.removeGroupMembers, { input: { groupId, userIds: [m.id] } }, admin.token),
        gql(Q.assignGroup, { input: { groupId, resourceType: 'PROJECT', resourceIds: projects, role: i % 2 ? 'REVIEWER' : 'ANNOTATOR' } }, admin.token),
      ]);
      for (const r of await Promise.all(calls)) if (codeOf(r) !== 'ok') throw new Error(`round ${round}: ${answer(r)} (a deadlock answers INTERNAL_SERVER_ERROR)`);
      same(await groupMemberIds(server, groupId), [], `round ${round}: every member taken out`);
    }
  });

  it('leaves no PROCESSING job of a person removed while they start jobs', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { workspaceId, admin } = await createWorkspace(server);
      const starter = await person(server, workspaceId, 'MEMBER');
      const dataset = await resource(server, workspaceId, 'DATASET', `Imports ${round}`, [admin.id, starter.id]);
      const starts = Array.from({ length: 10 }, () => gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, starter.token));
      const removal = gql(Q.removeUser, { input: { workspaceId, userId: starter.id } }, admin.token);
      const results = await Promise.all(starts);
      ok(await removal, `round ${round}: removeUser`);
      const jobs: Array<{ id: string; status: string }> = await server.db.query(`SELECT id, status FROM jobs WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, starter.id]);
      const processing = jobs.filter((j) => j.status !== 'CANCELLED');
      if (processing.length) throw new Error(`round ${round}: jobs of the removed person not CANCELLED: ${JSON.stringify(processing)}`);
      same(jobs.length, results.filter((r) => codeOf(r) === 'ok').length, `round ${round}: jobs stored vs startJob answered ok`);
      for (const r of results) {
        if (!['ok', 'NOT_FOUND'].includes(codeOf(r))) throw new Error(`round ${round}: a startJob after the removal must be NOT_FOUND (the workspace is gone for them), got ${answer(r)}`);
      }
    }
  });
});

// PGlite runs one transaction at a time: say so in the run instead of passing silently.
(process.env.TEST_DATABASE_URL ? describe.skip : describe)('re-checks under concurrency (PGlite)', () => {
  it.skip('needs PostgreSQL (TEST_DATABASE_URL): PGlite serialises every transaction, so no race can happen', () => undefined);
});
