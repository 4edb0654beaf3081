import type { State } from '../property/state';
import type { Answer } from './batch';
import type { Call } from './operations';
import type { AuditEntry, ExtraTables } from './world';

/**
 * The checks of a batch beside the invariants and the effects: every answer is one the
 * contract lists (1), the job events tell each job's story (2a), and the audit log replays
 * to the memberships the tables hold (2b).
 */

/** The error codes the contract lists for a mutation. */
const MUTATION_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'INVARIANT', 'REPLACEMENT_REQUIRED', 'UNAUTHENTICATED']);

/** The API keys an ok call of the batch revoked: by revokeApiKey, or with their owner by removeUser. */
export function keysRevokedBy(okCalls: Call[], before: State): Set<string> {
  const revoked = new Set<string>();
  for (const call of okCalls) {
    if (call.kind === 'revokeApiKey') revoked.add(call.on.keyId!);
    if (call.kind === 'removeUser') for (const [id, k] of before.apiKeys) if (k.owner === call.r!.user) revoked.add(id);
  }
  return revoked;
}

/** 1. Every answer is one of the contract's, and never a crash. */
export function checkAnswers(calls: Call[], answers: Answer[], revokedNow: Set<string>): string[] {
  const problems: string[] = [];
  calls.forEach((call, i) => {
    const { code } = answers[i];
    const bad = (why: string) => problems.push(`#${i} ${call.kind} answered ${code}: ${why}: ${JSON.stringify(answers[i].res?.errors ?? answers[i].res?.data ?? null)}`);
    if (call.key && !call.key.liveBefore && code !== 'UNAUTHENTICATED') return bad('made with an API key revoked before the batch, it must be UNAUTHENTICATED');
    if (code === 'ok') return;
    if (code === 'INTERNAL_SERVER_ERROR' || code.startsWith('HTTP') || code.startsWith('NO_')) return bad('a deadlock, a starved pool or a crash (see the server log: TEST_LOG_LEVEL=error)');
    if (!MUTATION_CODES.has(code)) return bad('not a code the contract lists for a mutation');
    if (code === 'REPLACEMENT_REQUIRED' && call.kind !== 'removeUser') return bad('only removeUser answers REPLACEMENT_REQUIRED');
    if (code === 'UNAUTHENTICATED' && !(call.key && (!call.key.liveBefore || revokedNow.has(call.key.id)))) {
      bad(call.key ? 'its API key was live and no ok call of the batch revoked it' : 'made with a valid token');
    }
  });
  return problems;
}

/** 2a. Job events: dense seq per workspace; each job's story in order; its last event is the job as it stands. */
export function checkEvents(x: ExtraTables): string[] {
  const problems: string[] = [];
  const seqs = x.events.map((e) => e.seq);
  const dense = seqs.every((seq, i) => seq === i + 1) && seqs.length === x.lastEventSeq;
  if (!dense) problems.push(`job event seq is not dense 1..${x.lastEventSeq}: ${seqs.length} events, seqs ${JSON.stringify(seqs.slice(0, 50))}${seqs.length > 50 ? '...' : ''}`);
  const story = new Map<string, Array<{ seq: number; status: string; progress: number }>>();
  for (const e of x.events) story.set(e.jobId, [...(story.get(e.jobId) ?? []), e]);
  for (const [jobId, job] of x.jobs) {
    const events = story.get(jobId) ?? [];
    const tell = () => events.map((e) => `${e.seq}:${e.status}@${e.progress}`).join(' ');
    const last = events.at(-1);
    if (!last) {
      problems.push(`job ${jobId} (${job.status}) has no event`);
      continue;
    }
    if (last.status !== job.status || last.progress !== job.progress) problems.push(`job ${jobId} is ${job.status}@${job.progress} but its last event says ${last.status}@${last.progress} (events ${tell()})`);
    events.slice(0, -1).forEach((e, k) => {
      if (e.status !== 'PROCESSING') problems.push(`job ${jobId}: an event after its final one (events ${tell()})`);
      if (k > 0 && e.progress < events[k - 1].progress) problems.push(`job ${jobId}: progress goes down in the feed (events ${tell()})`);
    });
    if (events[0].status !== 'PROCESSING') problems.push(`job ${jobId}: its first event is ${events[0].status} (events ${tell()})`);
  }
  return problems;
}

/** Audited actions only an ADMIN may take, and ones a TASKER may not. */
const ADMIN_ONLY = new Set(['changeUserRole', 'createProjectTag', 'deleteProjectTag', 'setProjectTags', 'addGroupManagers', 'removeGroupManagers', 'updateWorkspace']);
const NOT_TASKER = new Set(['createGroup', 'updateGroup', 'deleteGroup', 'inviteUsers', 'removeUser', 'createProject', 'createDataset', 'createOntology']);
/** Workspace-level issue tags are ADMINs' (a project's own: its ADMINs too). */
const adminOnly = (e: AuditEntry) => ADMIN_ONLY.has(e.action) || (['createIssueTag', 'deleteIssueTag'].includes(e.action) && e.details.projectId === null);

/** 2b. The audit log of the batch, replayed in id order from the memberships before it (see concurrent-property.test.ts). */
export function checkAudit(before: State, after: State, entries: AuditEntry[], label: (u: string) => string): string[] {
  const problems: string[] = [];
  const people = new Map([...before.people].map(([u, m]) => [u, { role: m.role as string, status: m.status as string }]));
  const joinedAdmin = () => [...people.values()].some((m) => m.role === 'ADMIN' && m.status === 'JOINED');
  for (const e of entries) {
    const at = `audit #${e.id} ${e.action} ${e.targetType} by ${e.actor ? label(e.actor) : 'no one'}`;
    const m = e.actor ? people.get(e.actor) : undefined;
    if (e.actor) {
      const answering = e.action === 'acceptInvitation' || e.action === 'declineInvitation';
      const now = m ? `${m.role}/${m.status}` : 'outsider';
      if (!m || (answering ? m.status !== 'INVITED' : m.status !== 'JOINED')) problems.push(`${at}: its actor was ${now} when it committed (replayed from the audit log)`);
      else if (adminOnly(e) && m.role !== 'ADMIN') problems.push(`${at}: an ADMIN-only action by a ${now}`);
      else if (NOT_TASKER.has(e.action) && m.role === 'TASKER') problems.push(`${at}: by a TASKER`);
      else if (e.action === 'inviteUsers' && e.details.role !== 'TASKER' && m.role !== 'ADMIN') problems.push(`${at}: a ${now} invited a ${e.details.role}`);
      else if (e.action === 'removeUser' && e.targetType === 'WorkspaceUser' && m.role === 'WORKFORCE_MANAGER' && e.details.role !== 'TASKER') problems.push(`${at}: a WORKFORCE_MANAGER removed a ${e.details.role}`);
    }
    const target = people.get(e.targetId);
    switch (e.action) {
      case 'changeUserRole':
        if (target?.role !== e.details.from) problems.push(`${at}: from ${e.details.from}, but ${label(e.targetId)} was ${target?.role} (replayed)`);
        if (e.details.from === 'ADMIN' && e.actor !== e.targetId) problems.push(`${at}: an ADMIN's role taken by someone else (${label(e.targetId)})`);
        if (target) target.role = e.details.to;
        break;
      case 'inviteUsers':
        if (target && ['INVITED', 'JOINED'].includes(target.status)) problems.push(`${at}: ${label(e.targetId)} invited while ${target.status} (replayed)`);
        people.set(e.targetId, { role: e.details.role, status: 'INVITED' });
        break;
      case 'acceptInvitation':
      case 'declineInvitation':
        if (m) m.status = e.action === 'acceptInvitation' ? 'JOINED' : 'DECLINED';
        break;
      case 'removeUser':
        if (e.targetType !== 'WorkspaceUser') break;
        if (target?.role === 'ADMIN' || e.details.role === 'ADMIN') problems.push(`${at}: an ADMIN removed (${label(e.targetId)})`);
        if (target?.status === 'REMOVED') problems.push(`${at}: ${label(e.targetId)} removed twice`);
        if (target) target.status = 'REMOVED';
        break;
    }
    if (!joinedAdmin()) problems.push(`${at}: the workspace has no JOINED ADMIN after it (replayed)`);
  }
  for (const [u, m] of after.people) {
    const replayed = people.get(u);
    if (replayed?.role !== m.role || replayed?.status !== m.status) {
      problems.push(`the audit log does not account for ${label(u)}: replayed ${replayed ? `${replayed.role}/${replayed.status}` : 'no membership'}, the table holds ${m.role}/${m.status}`);
    }
  }
  return problems;
}
