import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { GqlResult, TestServer } from '../../support/harness';
import { describe as describeStep, resolve, stepArb, type Kind as SequentialKind, type PoolPerson, type Step } from '../property/steps';
import { MUTATIONS, SEQUENTIAL, sequentialCall, THEMES, type Call, type ExtraKind, type Theme } from './operations';
import { labelIn, type Snapshot, type World } from './world';

/**
 * A batch: the seeded random choices, making a batch of calls on a theme from the state
 * before it, sending them, and the lines that print a batch with its answers.
 */

// ---- Random choices ----------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so that a seed replays the same choices. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(list: readonly T[]): T | undefined => (list.length ? list[int(list.length)] : undefined),
    weighted: <T extends string>(weights: Partial<Record<T, number>>): T => {
      const entries = Object.entries(weights) as Array<[T, number]>;
      let x = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [k, w] of entries) if ((x -= w) < 0) return k;
      return entries[entries.length - 1][0];
    },
    some: <T>(list: readonly T[], max: number): T[] => [...new Set(Array.from({ length: int(max + 1) }, () => list[int(list.length)]))].filter((x) => x !== undefined),
  };
}
export type Rng = ReturnType<typeof seededRandom>;

// ---- Making a batch ----------------------------------------------------------------------------

/** Tag names, some alike but for case, spaces or width (the same name key). */
const TAG_NAMES = ['Urgent', 'urgent ', 'Later', 'Ｌａｔｅｒ', 'Review', 'Bug', 'bug', 'Label', 'Blocker'];

/** `width` calls on `theme`, chosen from the tables before the batch. */
export function makeBatch(rng: Rng, world: World, before: Snapshot, theme: Theme, batchSeed: number, width: number): Call[] {
  const { s, x } = before;
  const { pool, workspaceId } = world;
  const ids = pool.map((p) => p.id);
  const statusOf = (u: string) => s.people.get(u)?.status;
  const roleOf = (u: string) => s.people.get(u)?.role;
  const joined = ids.filter((u) => statusOf(u) === 'JOINED');
  const admins = joined.filter((u) => roleOf(u) === 'ADMIN');
  const person = (u: string) => world.byId.get(u)!;
  const weights = THEMES[theme];
  const steps = fc.sample(stepArb, { seed: batchSeed, numRuns: width });
  const jobIds = [...s.jobs.keys()];
  const processing = jobIds.filter((j) => s.jobs.get(j)!.status === 'PROCESSING');
  const finished = jobIds.filter((j) => ['ERROR', 'CANCELLED'].includes(s.jobs.get(j)!.status));
  const hotJobs = processing.slice(-3);
  // The person of a `person` batch: someone JOINED (a second ADMIN, who may step down, or anyone but the founder).
  const focus = theme === 'person' ? rng.pick(joined.filter((u) => u !== pool[0].id)) : undefined;
  const calls: Call[] = [];
  const label = labelIn(world, s);
  const actorFor = (related: string[]): PoolPerson => {
    const choice = rng.weighted({ admin: 5, related: 8, joined: 4, any: 2 });
    const from = { admin: admins, related: related.filter((u) => world.byId.has(u)), joined, any: ids }[choice];
    return person(rng.pick(from.length ? from : ids)!);
  };
  const liveKeysOf = (u: string) => [...world.keys].filter(([id, k]) => k.owner === u && s.apiKeys.get(id)?.live);

  for (let i = 0; i < width; i++) {
    const kind = rng.weighted(weights);
    let call: Call;
    if (SEQUENTIAL.has(kind)) {
      const step: Step = { ...steps[i], kind: kind as SequentialKind };
      // Hot spots: the first groups and resources of each type, and the few jobs still running.
      if (rng.chance(theme === 'group' ? 0.85 : 0.5)) step.group = rng.int(2);
      if (rng.chance(theme === 'group' ? 0.85 : 0.5)) step.resources = rng.chance(0.5) ? [0] : [0, 1];
      if (['cancelJob', 'failJob'].includes(kind) && processing.length && rng.chance(0.8)) step.job = jobIds.indexOf(rng.pick(theme === 'jobs' ? hotJobs : processing)!);
      if (kind === 'retryJob' && finished.length && rng.chance(0.8)) step.job = jobIds.indexOf(rng.pick(finished)!);
      const r = resolve(s, pool, step);
      if (focus) {
        // One person acts while they are demoted or removed: up to a quarter of the calls are about them, most of the rest by them.
        if (i < width / 4 && (r.kind === 'removeUser' || r.kind === 'changeUserRole' || rng.chance(0.5))) {
          const isAdmin = roleOf(focus) === 'ADMIN';
          r.kind = isAdmin || rng.chance(0.4) ? 'changeUserRole' : 'removeUser';
          r.user = focus;
          r.wsRole = isAdmin ? rng.pick(['MEMBER', 'WORKFORCE_MANAGER'] as const)! : rng.pick(['TASKER', 'MEMBER', 'WORKFORCE_MANAGER'] as const)!;
          const wfms = joined.filter((u) => roleOf(u) === 'WORKFORCE_MANAGER' && u !== focus);
          r.actor = person(isAdmin ? focus : rng.pick(r.kind === 'removeUser' && rng.chance(0.3) && wfms.length ? wfms : admins.length ? admins : ids)!);
          r.replacementUserId = r.kind === 'removeUser' && rng.chance(0.6) ? (rng.pick(admins) ?? null) : null;
        } else if (rng.chance(0.75)) {
          r.actor = person(focus);
        }
      }
      const { query, variables } = sequentialCall(workspaceId, r);
      call = { kind: r.kind, actor: r.actor, query, variables, text: describeStep(s, pool, r), r, on: {} };
      if (['startJob', 'cancelJob', 'failJob', 'retryJob'].includes(r.kind)) maybeWithKey(call);
    } else {
      call = extraCall(kind as ExtraKind);
    }
    calls.push(call);
  }
  return calls;

  /** A worker's call: sometimes made with the actor's API key (a live one, or now and then one revoked before the batch). */
  function maybeWithKey(call: Call) {
    if (!rng.chance(0.35)) return;
    const live = liveKeysOf(call.actor.id);
    const dead = [...world.keys].filter(([id]) => !s.apiKeys.get(id)?.live);
    const [id, key] = rng.chance(0.1) && dead.length ? rng.pick(dead)! : (rng.pick(live) ?? [undefined, undefined]);
    if (!id || !key) return;
    call.actor = person(key.owner);
    call.key = { id, secret: key.secret, liveBefore: !!s.apiKeys.get(id)?.live };
    call.text += ` (with API key ${id.slice(0, 8)}${call.key.liveBefore ? '' : ', revoked'})`;
  }

  function extraCall(kind: ExtraKind): Call {
    const projects = [...s.resources].filter(([, r]) => r.type === 'PROJECT').map(([id]) => id);
    const hotProject = (): string | undefined => (rng.chance(0.6) ? projects[rng.int(Math.min(2, projects.length))] : rng.pick(projects));
    const holders = (r: string | undefined) => (r ? [...(s.direct.get(r)?.keys() ?? [])] : []);
    const focusOr = (p: PoolPerson) => (focus && rng.chance(0.75) ? person(focus) : p);
    const jobOf = (list: string[]) => (theme === 'jobs' && hotJobs.length && rng.chance(0.8) ? rng.pick(hotJobs) : rng.pick(list.length && rng.chance(0.85) ? list : jobIds));
    switch (kind) {
      case 'reportJobProgress':
      case 'completeJob': {
        const jobId = jobOf(processing);
        if (!jobId) return extraCall('createProjectTag');
        const actor = focusOr(actorFor([s.jobs.get(jobId)!.startedBy]));
        const now = x.jobs.get(jobId)?.progress ?? 0;
        const progress = rng.chance(0.1) ? Math.max(0, now - 0.2) : Math.min(1, Math.round((now + 0.05 + rng.next() * 0.3) * 100) / 100);
        const call: Call =
          kind === 'completeJob'
            ? { kind, actor, query: MUTATIONS.completeJob, variables: { id: jobId }, text: '', on: { jobId } }
            : { kind, actor, query: MUTATIONS.reportJobProgress, variables: { input: { jobId, progress } }, text: '', on: { jobId, progress } };
        call.text = `${kind} by ${label(actor.id)}: job#${jobIds.indexOf(jobId)} (${s.jobs.get(jobId)!.status}) of ${label(s.jobs.get(jobId)!.startedBy)}${kind === 'reportJobProgress' ? ` to ${progress}` : ''}`;
        maybeWithKey(call);
        return call;
      }
      case 'revokeApiKey': {
        const live = [...s.apiKeys].filter(([, k]) => k.live).map(([id]) => id);
        const keyId = rng.pick(live.length && rng.chance(0.85) ? live : [...s.apiKeys.keys()]);
        if (!keyId) return extraCall('createProjectTag');
        const actor = focusOr(rng.chance(0.8) ? person(s.apiKeys.get(keyId)!.owner) : actorFor([]));
        return { kind, actor, query: MUTATIONS.revokeApiKey, variables: { id: keyId }, text: `revokeApiKey by ${label(actor.id)}: key ${keyId.slice(0, 8)} of ${label(s.apiKeys.get(keyId)!.owner)}`, on: { keyId } };
      }
      case 'createProjectTag': {
        const actor = focusOr(actorFor(admins));
        const name = rng.pick(TAG_NAMES)!;
        return { kind, actor, query: MUTATIONS.createProjectTag, variables: { input: { workspaceId, name } }, text: `createProjectTag by ${label(actor.id)}: ${JSON.stringify(name)}`, on: { name } };
      }
      case 'deleteProjectTag': {
        const tagId = rng.pick([...x.projectTags.keys()]);
        if (!tagId) return extraCall('createProjectTag');
        const actor = focusOr(actorFor(admins));
        return { kind, actor, query: MUTATIONS.deleteProjectTag, variables: { id: tagId }, text: `deleteProjectTag by ${label(actor.id)}: ${x.projectTags.get(tagId)}`, on: { tagId } };
      }
      case 'setProjectTags': {
        const projectId = hotProject();
        if (!projectId) return extraCall('createProjectTag');
        const tagIds = rng.some([...x.projectTags.keys()], 2);
        if (rng.chance(0.05)) tagIds.push(randomUUID());
        const actor = focusOr(actorFor(admins));
        return { kind, actor, query: MUTATIONS.setProjectTags, variables: { input: { projectId, tagIds } }, text: `setProjectTags by ${label(actor.id)}: project#${projects.indexOf(projectId)} [${tagIds.map((t) => x.projectTags.get(t) ?? 'unknown').join(', ')}]`, on: { projectId, tagIds } };
      }
      case 'createIssueTag': {
        const projectId = rng.chance(0.5) ? hotProject() : undefined;
        const actor = focusOr(actorFor(projectId ? holders(projectId) : admins));
        const name = rng.pick(TAG_NAMES)!;
        return {
          kind, actor, query: MUTATIONS.createIssueTag, variables: { input: { workspaceId, name, ...(projectId ? { projectId } : {}) } },
          text: `createIssueTag by ${label(actor.id)}: ${JSON.stringify(name)} ${projectId ? `on project#${projects.indexOf(projectId)}` : 'workspace-level'}`, on: { name, projectId },
        };
      }
      case 'deleteIssueTag': {
        const tagId = rng.pick([...x.issueTags.keys()]);
        if (!tagId) return extraCall('createIssueTag');
        const projectId = x.issueTags.get(tagId)!.projectId ?? undefined;
        const actor = focusOr(actorFor(projectId ? holders(projectId) : admins));
        return { kind, actor, query: MUTATIONS.deleteIssueTag, variables: { id: tagId }, text: `deleteIssueTag by ${label(actor.id)}: ${x.issueTags.get(tagId)!.key}`, on: { tagId } };
      }
      case 'createIssue': {
        const projectId = hotProject();
        if (!projectId) return extraCall('createProjectTag');
        const tagIds = rng.some([...x.issueTags.keys()], 2);
        const actor = focusOr(actorFor(holders(projectId)));
        return {
          kind, actor, query: MUTATIONS.createIssue, variables: { input: { projectId, title: `Issue ${rng.int(1000)}`, tagIds } },
          text: `createIssue by ${label(actor.id)}: on project#${projects.indexOf(projectId)} tags [${tagIds.map((t) => x.issueTags.get(t)?.key).join(', ')}]`, on: { projectId, tagIds },
        };
      }
      case 'resolveIssue': {
        const issueId = rng.pick([...x.issues.keys()]);
        if (!issueId) return extraCall('createIssue');
        const actor = focusOr(actorFor(holders(x.issues.get(issueId)!.projectId)));
        return { kind, actor, query: MUTATIONS.resolveIssue, variables: { id: issueId }, text: `resolveIssue by ${label(actor.id)}: issue ${issueId.slice(0, 8)} (${x.issues.get(issueId)!.status})`, on: { issueId } };
      }
      case 'updateWorkspace': {
        const actor = focusOr(actorFor(admins));
        const domains = rng.chance(0.5) ? ['acme.test'] : ['acme.test', 'partner.test'];
        const name = rng.chance(0.3) ? `Concurrent ${rng.int(100)}` : undefined;
        return {
          kind, actor, query: MUTATIONS.updateWorkspace, variables: { input: { workspaceId, internalDomains: domains, ...(name ? { name } : {}) } },
          text: `updateWorkspace by ${label(actor.id)}: internalDomains ${domains.join(',')}${name ? ` name ${name}` : ''}`, on: { domains },
        };
      }
    }
  }
}

// ---- Sending it and printing it ----------------------------------------------------------------

export interface Answer {
  code: string;
  status: number;
  res: GqlResult | null;
  /** The mutation's answer (data's one field). */
  value: any;
}

/** Sends one call (with its API key, if any) and reads its answer; never throws. */
export async function send(server: TestServer, call: Call): Promise<Answer> {
  const token = call.key ? call.key.secret : call.actor.token;
  try {
    const res = await server.gql(call.query, call.variables, token);
    const value = res.data ? Object.values(res.data)[0] : undefined;
    const code =
      res.status >= 500
        ? `HTTP ${res.status}${res.errors?.[0]?.extensions?.code ? ` ${res.errors[0].extensions.code}` : ''}`
        : res.errors?.length
          ? String(res.errors[0].extensions?.code ?? 'NO_CODE')
          : value === undefined || (value === null && call.kind !== 'unassignUser')
            ? 'NO_DATA'
            : 'ok';
    return { code, status: res.status, res, value };
  } catch (error) {
    return { code: `NO_RESPONSE (${(error as Error).message})`, status: 0, res: null, value: undefined };
  }
}

/** A batch's calls with their answers, one a call: what it was, its answer, and how to send it again. */
export function callLines(calls: Call[], answers: Answer[]): string[] {
  return calls.map((call, i) => {
    const err = answers[i].res?.errors?.[0];
    return `#${i} ${call.text} -> ${answers[i].code}${err ? ` (${err.message})` : ''}\n      as ${call.key ? `API key ${call.key.id} of ${call.actor.email}` : call.actor.email}: ${call.query.replace(/\s+/g, ' ')}\n      variables ${JSON.stringify(call.variables)}`;
  });
}
