import { nameKey } from '../property/model';
import type { Answer } from './batch';
import type { Call } from './operations';
import type { Snapshot, World } from './world';

/**
 * The effects (3 in concurrent-property.test.ts): the claims of each ok call, read in the
 * tables after the batch; a claim on something another ok call of the batch also touched is
 * skipped (either order is legal).
 */

/** 3. What an ok call claims to have done: a key (the thing it is about) and how to read it in the tables after the batch. */
interface Claim {
  key: string;
  what: string;
  /** null when it holds; else what the tables hold instead. */
  holds(a: Snapshot): string | null;
}

/** null when `actual` is `expected` (as JSON), else what was found. */
const is = (actual: unknown, expected: unknown) => (JSON.stringify(actual) === JSON.stringify(expected) ? null : `found ${JSON.stringify(actual) ?? 'nothing'}`);

/** The keys an ok call may change (patterns: `*` stands for any one part), and what it claims. */
function effects(call: Call, answer: Answer, before: Snapshot, world: World): { touches: string[]; claims: Claim[] } {
  const touches: string[] = [];
  const claims: Claim[] = [];
  const claim = (key: string, what: string, holds: Claim['holds']) => {
    touches.push(key);
    claims.push({ key, what, holds });
  };
  const a = call.actor.id;
  const r = call.r;
  const v = answer.value;
  const role = (resource: string, user: string) => (s: Snapshot) => s.s.direct.get(resource)?.get(user) ?? null;
  const inGroup = (table: 'members' | 'managers', g: string, u: string) => (s: Snapshot) => !!s.s[table].get(g)?.has(u);
  const job = (id: string) => (s: Snapshot) => s.x.jobs.get(id);
  switch (call.kind) {
    case 'createResource':
      claim(`res:${v.id}`, `resource ${v.id} made, a ${r!.type}`, (s) => is(s.s.resources.get(v.id)?.type, r!.type));
      claim(`d:${v.id}:${a}`, `its maker is its ADMIN`, (s) => is(role(v.id, a)(s), 'ADMIN'));
      break;
    case 'assignUser':
      for (const res of r!.resourceIds) claim(`d:${res}:${r!.user}`, `${r!.user} is ${r!.role} on ${res}`, (s) => is(role(res, r!.user)(s), r!.role));
      break;
    case 'unassignUser':
      claim(`d:${r!.resourceIds[0]}:${r!.user}`, `${r!.user} holds no direct role on ${r!.resourceIds[0]}`, (s) => is(role(r!.resourceIds[0], r!.user)(s), null));
      break;
    case 'assignGroup':
      for (const res of r!.resourceIds) claim(`gr:${res}:${r!.groupId}`, `group ${r!.groupId} is ${r!.role} on ${res}`, (s) => is(s.s.groupRoles.get(res)?.get(r!.groupId) ?? null, r!.role));
      break;
    case 'unassignGroup':
      claim(`gr:${r!.resourceIds[0]}:${r!.groupId}`, `group ${r!.groupId} holds no role on ${r!.resourceIds[0]}`, (s) => is(s.s.groupRoles.get(r!.resourceIds[0])?.get(r!.groupId) ?? null, null));
      break;
    case 'createGroup': {
      claim(`g:${v.id}`, `group ${v.id} made, named ${r!.name}`, (s) => is(s.s.groups.has(v.id) ? nameKey(s.s.groups.get(v.id)!.name) : null, nameKey(r!.name!)));
      touches.push(`gm:${v.id}:*`, `gM:${v.id}:*`);
      for (const u of r!.memberIds ?? []) claim(`gm:${v.id}:${u}`, `${u} a member of the new group`, (s) => is(inGroup('members', v.id, u)(s), true));
      for (const u of r!.managerIds ?? []) claim(`gM:${v.id}:${u}`, `${u} a manager of the new group`, (s) => is(inGroup('managers', v.id, u)(s), true));
      break;
    }
    case 'updateGroup': {
      const g = r!.groupId;
      if (r!.name !== undefined) claim(`g:${g}`, `group ${g} renamed ${r!.name}`, (s) => is(s.s.groups.has(g) ? nameKey(s.s.groups.get(g)!.name) : null, nameKey(r!.name!)));
      for (const [list, table, k] of [[r!.memberIds, 'members', 'gm'], [r!.managerIds, 'managers', 'gM']] as const) {
        if (!list) continue;
        touches.push(`${k}:${g}:*`);
        for (const u of new Set([...list, ...(before.s[table].get(g) ?? [])])) {
          claim(`${k}:${g}:${u}`, `${u} ${list.includes(u) ? 'in' : 'out of'} the ${table} of ${g}`, (s) => is(inGroup(table, g, u)(s), list.includes(u)));
        }
      }
      break;
    }
    case 'deleteGroup':
      claim(`g:${r!.groupId}`, `group ${r!.groupId} deleted`, (s) => is(s.s.groups.has(r!.groupId), false));
      touches.push(`gm:${r!.groupId}:*`, `gM:${r!.groupId}:*`, `gr:*:${r!.groupId}`);
      break;
    case 'addGroupMembers':
    case 'removeGroupMembers':
    case 'addGroupManagers':
    case 'removeGroupManagers': {
      const table = call.kind.endsWith('Members') ? 'members' : 'managers';
      const adding = call.kind.startsWith('add');
      for (const u of r!.userIds) claim(`${table === 'members' ? 'gm' : 'gM'}:${r!.groupId}:${u}`, `${u} ${adding ? 'in' : 'out of'} the ${table} of ${r!.groupId}`, (s) => is(inGroup(table, r!.groupId, u)(s), adding));
      break;
    }
    case 'inviteUsers':
      for (const email of r!.emails) {
        const u = world.idOfEmail(email)!;
        claim(`m:${u}`, `${u} INVITED as ${r!.wsRole}`, (s) => is(s.s.people.has(u) ? `${s.s.people.get(u)!.role}/${s.s.people.get(u)!.status}` : null, `${r!.wsRole}/INVITED`));
      }
      break;
    case 'acceptInvitation':
    case 'declineInvitation': {
      const status = call.kind === 'acceptInvitation' ? 'JOINED' : 'DECLINED';
      claim(`m:${a}`, `${a} ${status}`, (s) => is(s.s.people.get(a)?.status, status));
      break;
    }
    case 'changeUserRole':
      claim(`m:${r!.user}`, `${r!.user} is ${r!.wsRole}`, (s) => is(s.s.people.get(r!.user)?.role, r!.wsRole));
      break;
    case 'removeUser':
      claim(`m:${r!.user}`, `${r!.user} REMOVED`, (s) => is(s.s.people.get(r!.user)?.status, 'REMOVED'));
      touches.push(`d:*:${r!.user}`, `gm:*:${r!.user}`, `gM:*:${r!.user}`, `j:*:${r!.user}`, `k:*:${r!.user}`);
      if (r!.replacementUserId) touches.push(`d:*:${r!.replacementUserId}`);
      break;
    case 'startJob':
    case 'retryJob': {
      const original = r!.kind === 'retryJob' ? before.x.jobs.get(r!.jobId) : undefined;
      const expected = {
        status: 'PROCESSING',
        startedBy: a,
        type: original?.type ?? r!.jobType,
        retryOf: original ? r!.jobId : null,
        resourceId: original ? original.resourceId : r!.resourceIds[0],
      };
      claim(`j:${v.id}:${a}`, `job ${v.id} started`, (s) => {
        const j = job(v.id)(s);
        return is(j && { status: j.status, startedBy: j.startedBy, type: j.type, retryOf: j.retryOf, resourceId: j.resourceId }, expected);
      });
      break;
    }
    case 'cancelJob':
    case 'failJob':
    case 'completeJob':
    case 'reportJobProgress': {
      const id = r?.jobId ?? call.on.jobId!;
      const starter = before.x.jobs.get(id)!.startedBy;
      const status = { cancelJob: 'CANCELLED', failJob: 'ERROR', completeJob: 'SUCCESS', reportJobProgress: 'PROCESSING' }[call.kind];
      claim(`j:${id}:${starter}`, `job ${id} ${status}`, (s) => {
        const j = job(id)(s);
        if (!j) return 'found no job';
        if (j.status !== status) return `found ${j.status}`;
        if (call.kind === 'cancelJob' && j.cancelledBy !== a) return `found cancelledBy ${j.cancelledBy}`;
        if (call.kind === 'completeJob' && j.progress !== 1) return `found progress ${j.progress}`;
        if (call.kind === 'reportJobProgress' && j.progress !== call.on.progress) return `found progress ${j.progress}`;
        return null;
      });
      break;
    }
    case 'createApiKey':
      world.keys.set(v.apiKey.id, { secret: v.key, owner: a });
      claim(`k:${v.apiKey.id}:${a}`, `a live key of ${a}`, (s) => is(s.s.apiKeys.get(v.apiKey.id), { owner: a, live: true }));
      break;
    case 'revokeApiKey': {
      const id = call.on.keyId!;
      claim(`k:${id}:${before.s.apiKeys.get(id)!.owner}`, `key ${id} revoked`, (s) => is(s.s.apiKeys.get(id)?.live, false));
      break;
    }
    case 'createProjectTag':
      claim(`pt:${v.id}`, `project tag ${v.id} named ${call.on.name}`, (s) => is(s.x.projectTags.get(v.id), nameKey(call.on.name!)));
      break;
    case 'deleteProjectTag':
      claim(`pt:${call.on.tagId}`, `project tag ${call.on.tagId} deleted, on no project`, (s) =>
        is(s.x.projectTags.has(call.on.tagId!) || [...s.x.tagLinks].some((l) => l.endsWith(`:${call.on.tagId}`)), false),
      );
      touches.push(`ptl:*:${call.on.tagId}`);
      break;
    case 'setProjectTags': {
      const p = call.on.projectId!;
      touches.push(`ptl:${p}:*`);
      const was = [...before.x.tagLinks].filter((l) => l.startsWith(`${p}:`)).map((l) => l.split(':')[1]);
      for (const t of new Set([...call.on.tagIds!, ...was])) {
        const on = call.on.tagIds!.includes(t);
        claim(`ptl:${p}:${t}`, `project ${p} ${on ? 'carries' : 'does not carry'} tag ${t}`, (s) => is(s.x.tagLinks.has(`${p}:${t}`), on));
      }
      break;
    }
    case 'createIssueTag':
      claim(`it:${v.id}`, `issue tag ${v.id} named ${call.on.name}`, (s) => is(s.x.issueTags.get(v.id), { key: nameKey(call.on.name!), projectId: call.on.projectId ?? null }));
      break;
    case 'deleteIssueTag':
      claim(`it:${call.on.tagId}`, `issue tag ${call.on.tagId} deleted, on no issue`, (s) =>
        is(s.x.issueTags.has(call.on.tagId!) || [...s.x.issueLinks].some((l) => l.endsWith(`:${call.on.tagId}`)), false),
      );
      touches.push(`itl:*:${call.on.tagId}`);
      break;
    case 'createIssue':
      claim(`iss:${v.id}`, `issue ${v.id} OPEN on ${call.on.projectId}`, (s) => is(s.x.issues.get(v.id), { status: 'OPEN', projectId: call.on.projectId, createdBy: a }));
      for (const t of call.on.tagIds!) claim(`itl:${v.id}:${t}`, `issue ${v.id} carries tag ${t}`, (s) => is(s.x.issueLinks.has(`${v.id}:${t}`), true));
      break;
    case 'resolveIssue':
      claim(`iss:${call.on.issueId}`, `issue ${call.on.issueId} RESOLVED`, (s) => is(s.x.issues.get(call.on.issueId!)?.status, 'RESOLVED'));
      break;
    case 'updateWorkspace':
      claim(`ws:domains`, `internal domains ${call.on.domains}`, (s) => is(s.x.domains, call.on.domains));
      break;
  }
  return { touches, claims };
}

/** Whether a key (`d:resource:user`...) fits a pattern of touched keys (`*` for any one part). */
const matches = (pattern: string, key: string) => {
  const p = pattern.split(':');
  const k = key.split(':');
  return p.length === k.length && p.every((part, i) => part === '*' || part === k[i]);
};

/** Checks every claim of the batch's ok calls against the tables after it, skipping those another ok call touched; counts both in `seen`. */
export function checkEffects(
  okCalls: Array<{ call: Call; answer: Answer; i: number }>,
  before: Snapshot,
  after: Snapshot,
  world: World,
  seen: { checked: number; skipped: number },
): string[] {
  const problems: string[] = [];
  const made = okCalls.map(({ call, answer, i }) => ({ i, call, ...effects(call, answer, before, world) }));
  for (const { i, call, claims } of made) {
    for (const c of claims) {
      const touchedBy = made.filter((o) => o.i !== i && o.touches.some((t) => matches(t, c.key)));
      if (touchedBy.length) {
        seen.skipped++;
        continue;
      }
      seen.checked++;
      const wrong = c.holds(after);
      if (wrong) problems.push(`#${i} ${call.kind} answered ok, but not so: ${c.what}: ${wrong}`);
    }
  }
  return problems;
}
