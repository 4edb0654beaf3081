import fc from 'fast-check';
import type { JobType, ResourceRole, ResourceType, State, WsRole } from './state';

/**
 * A step of a sequence: an operation, who does it, and random choices that `resolve` turns
 * into concrete people, resources, groups and jobs from the state at that moment (so that a
 * step names what exists, and often what is interesting: a manager, a sole ADMIN, a REMOVED
 * person, the job's starter).
 */
export const KINDS = {
  createResource: 3,
  assignUser: 6,
  unassignUser: 4,
  assignGroup: 3,
  unassignGroup: 2,
  createGroup: 3,
  updateGroup: 3,
  deleteGroup: 1,
  addGroupMembers: 3,
  removeGroupMembers: 2,
  addGroupManagers: 2,
  removeGroupManagers: 1,
  inviteUsers: 3,
  acceptInvitation: 2,
  declineInvitation: 1,
  changeUserRole: 4,
  removeUser: 4,
  startJob: 3,
  cancelJob: 2,
  failJob: 1,
  retryJob: 2,
  createApiKey: 1,
} as const;
export type Kind = keyof typeof KINDS;

/** Which person a choice names, among those of the state at that moment (any person of the pool when none fits). */
export type Who = 'any' | 'self' | 'admin' | 'manager' | 'holder' | 'soleAdmin' | 'invited' | 'declined' | 'removed' | 'outsider' | 'tasker' | 'member';

export interface Step {
  kind: Kind;
  /** A JOINED workspace ADMIN, someone related to the object (its manager, starter, holder...), anyone JOINED, or anyone of the pool. */
  actor: 'admin' | 'related' | 'joined' | 'any';
  actorIndex: number;
  who: Who;
  whoIndex: number;
  /** People of the pool for lists (userIds, memberIds, managerIds, emails). */
  others: number[];
  managersToo: number[];
  /** The actor adds themselves to the list. */
  withSelf: boolean;
  /** removeUser: no replacement, or one picked so. */
  replacement: Who | 'none';
  replacementIndex: number;
  type: ResourceType;
  resources: number[];
  role: ResourceRole;
  wsRole: WsRole;
  group: number;
  job: number;
  jobType: JobType;
  /** updateGroup: what the dialog saves. */
  saves: 'name' | 'members' | 'managers' | 'both';
  name: string;
  /** inviteUsers: the emails in upper case (emails compare case-insensitively). */
  upper: boolean;
}

/** Group names: equal after NFKC, trimming and case folding, or holding a zero-width or line-separator character. */
export const NAMES = ['Alpha', ' alpha', 'ALPHA ', 'Ａｌｐｈａ', 'Beta', 'beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Al\u200Bpha', 'Be\u2028ta'];
const TYPES: ResourceType[] = ['PROJECT', 'DATASET', 'ONTOLOGY'];
const ROLES: ResourceRole[] = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER', 'USER'];
const WS_ROLES: WsRole[] = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'];
const WHO: Who[] = ['any', 'any', 'any', 'self', 'self', 'admin', 'admin', 'manager', 'manager', 'holder', 'soleAdmin', 'soleAdmin', 'invited', 'declined', 'removed', 'outsider', 'tasker', 'member'];
/** Whom an operation names half of the time: the people its rules are most about. */
const PREFERRED: Partial<Record<Kind, Who[]>> = {
  assignUser: ['tasker', 'any'],
  unassignUser: ['holder'],
  removeUser: ['soleAdmin', 'tasker'],
  changeUserRole: ['self', 'manager', 'admin'],
  removeGroupMembers: ['member'],
  removeGroupManagers: ['manager'],
};

const weighted = <T>(entries: Array<[T, number]>) => fc.oneof(...entries.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));

export const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: weighted(Object.entries(KINDS) as Array<[Kind, number]>),
  actor: weighted<Step['actor']>([['admin', 6], ['related', 8], ['joined', 4], ['any', 2]]),
  actorIndex: fc.nat(),
  who: fc.constantFrom(...WHO),
  whoIndex: fc.nat(),
  others: fc.array(fc.nat(), { maxLength: 2 }),
  managersToo: fc.array(fc.nat(), { maxLength: 2 }),
  withSelf: fc.boolean(),
  replacement: fc.constantFrom<Who | 'none'>('none', 'none', 'none', 'admin', 'admin', 'self', 'self', 'any', 'tasker', 'invited', 'removed', 'outsider'),
  replacementIndex: fc.nat(),
  type: fc.constantFrom(...TYPES),
  resources: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  role: fc.constantFrom(...ROLES),
  wsRole: fc.constantFrom(...WS_ROLES),
  group: fc.nat(),
  job: fc.nat(),
  jobType: fc.constantFrom<JobType>('DATA_IMPORT', 'MODEL_TRAINING', 'LABEL_IMPORT'),
  saves: fc.constantFrom<Step['saves']>('name', 'members', 'managers', 'both'),
  name: fc.constantFrom(...NAMES),
  upper: fc.boolean(),
});

/** A person of the pool: an account that signs in with its own token; `label` names them in reports. */
export interface PoolPerson {
  id: string;
  email: string;
  token: string;
  label: string;
}

/** A step with concrete ids. Lists left undefined are not sent. */
export interface Resolved {
  kind: Kind;
  actor: PoolPerson;
  /** The person the operation is about (assignUser, changeUserRole, removeUser...). */
  user: string;
  /** GroupUsersInput.userIds. */
  userIds: string[];
  /** inviteUsers. */
  emails: string[];
  replacementUserId: string | null;
  type: ResourceType;
  resourceIds: string[];
  role: ResourceRole;
  wsRole: WsRole;
  groupId: string;
  jobId: string;
  jobType: JobType;
  /** createGroup and updateGroup; undefined: not given. */
  name?: string;
  memberIds?: string[];
  managerIds?: string[];
}

const FITS_TYPE: Record<ResourceType, ResourceRole[]> = { PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'], DATASET: ['ADMIN', 'USER'], ONTOLOGY: ['ADMIN', 'USER'] };
const TYPE_OF_JOB: Record<JobType, ResourceType> = { DATA_IMPORT: 'DATASET', MODEL_TRAINING: 'PROJECT', LABEL_IMPORT: 'PROJECT' };
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];
const uniq = <T>(list: T[]) => [...new Set(list)];

/** The resources of which a person is a direct ADMIN while no other INVITED or JOINED person is (the model's soleAdminOf). */
function soleAdminAnywhere(s: State, userId: string): boolean {
  for (const [, holders] of s.direct) {
    if (holders.get(userId) !== 'ADMIN') continue;
    const others = [...holders].filter(([u, role]) => u !== userId && role === 'ADMIN' && ['INVITED', 'JOINED'].includes(s.people.get(u)?.status ?? ''));
    if (others.length === 0) return true;
  }
  return false;
}

/** Turns the random choices of a step into concrete ids, from what exists now. */
export function resolve(s: State, pool: PoolPerson[], step: Step): Resolved {
  let kind: Kind = step.kind;
  const jobType = step.jobType;
  let type = kind === 'startJob' ? TYPE_OF_JOB[jobType] : step.type;
  const ofType = () => [...s.resources].filter(([, r]) => r.type === type).map(([id]) => id);
  // What the step needs but does not exist yet is made first.
  if (['cancelJob', 'failJob', 'retryJob'].includes(kind) && s.jobs.size === 0) kind = 'startJob';
  if (kind === 'startJob') type = TYPE_OF_JOB[jobType];
  if (/^(un)?assign|startJob/.test(kind) && ofType().length === 0) kind = 'createResource';
  if (/Group/.test(kind) && kind !== 'createGroup' && s.groups.size === 0) kind = 'createGroup';

  const resources = ofType();
  let resourceIds = uniq(step.resources.map((i) => pick(resources, i))).filter(Boolean);
  if (kind.startsWith('unassign') || kind === 'startJob') resourceIds = resourceIds.slice(0, 1);
  const groupIds = [...s.groups.keys()];
  const groupId = groupIds.length ? pick(groupIds, step.group) : '';
  const jobIds = [...s.jobs.keys()];
  const jobId = jobIds.length ? pick(jobIds, step.job) : '';

  const byId = new Map(pool.map((p) => [p.id, p]));
  const ids = pool.map((p) => p.id);
  const withStatus = (...statuses: string[]) => ids.filter((id) => statuses.includes(s.people.get(id)?.status ?? 'NONE'));
  const allManagers = uniq([...s.managers.values()].flatMap((m) => [...m]));

  // The actor.
  const joinedIds = ids.filter((id) => s.people.get(id)?.status === 'JOINED');
  const admins = joinedIds.filter((id) => s.people.get(id)?.role === 'ADMIN');
  const wfms = joinedIds.filter((id) => s.people.get(id)?.role === 'WORKFORCE_MANAGER');
  const related = (): string[] => {
    if (kind === 'acceptInvitation' || kind === 'declineInvitation') return withStatus('INVITED');
    if (/ssign|startJob/.test(kind)) return resourceIds.length ? [...(s.direct.get(resourceIds[0]) ?? new Map()).keys()] : [];
    // A group's managers who are not workspace ADMINs (whom the rules treat apart), and its creator.
    if (/Group/.test(kind) && groupId) return uniq([...(s.managers.get(groupId) ?? [])].filter((id) => s.people.get(id)?.role !== 'ADMIN').concat(s.groups.get(groupId)!.createdBy ?? '')).filter(Boolean);
    if (/Job/.test(kind) && jobId) return [s.jobs.get(jobId)!.startedBy];
    if (kind === 'changeUserRole') return admins;
    if (kind === 'removeUser') return [...admins, ...wfms];
    if (kind === 'inviteUsers') return wfms;
    return [];
  };
  const actorCandidates = { admin: admins, related: related().filter((id) => byId.has(id)), joined: joinedIds, any: ids }[step.actor];
  const actor = byId.get(pick(actorCandidates.length ? actorCandidates : ids, step.actorIndex))!;

  // The people it names.
  const candidates = (who: Who): string[] => {
    switch (who) {
      case 'any':
        return ids;
      case 'self':
        return [actor.id];
      case 'admin':
        return ids.filter((id) => s.people.get(id)?.role === 'ADMIN' && s.people.get(id)?.status !== 'REMOVED');
      case 'manager':
        return allManagers;
      case 'holder':
        return resourceIds.length ? [...(s.direct.get(resourceIds[0]) ?? new Map()).keys()] : [];
      case 'soleAdmin':
        // Not workspace ADMINs (who create most resources and cannot be removed): those whose removal needs a replacement.
        return ids.filter((id) => s.people.get(id)?.role !== 'ADMIN' && soleAdminAnywhere(s, id));
      case 'invited':
        return withStatus('INVITED');
      case 'declined':
        return withStatus('DECLINED');
      case 'removed':
        return withStatus('REMOVED');
      case 'outsider':
        return ids.filter((id) => !s.people.has(id));
      case 'tasker':
        return ids.filter((id) => s.people.get(id)?.role === 'TASKER');
      case 'member':
        return groupId ? [...(s.members.get(groupId) ?? [])] : [];
    }
  };
  const one = (who: Who, i: number) => {
    const list = candidates(who).filter((id) => byId.has(id));
    return pick(list.length ? list : ids, i);
  };
  const preferred = PREFERRED[kind];
  const user = one(preferred && step.whoIndex % 2 === 0 ? pick(preferred, step.whoIndex >> 1) : step.who, step.whoIndex);
  // A third of the changes of a manager's role make them TASKER. Roles on resources: mostly one the type takes (a
  // quarter of the time any: BAD_USER_INPUT), and for assignUser a third of the time ADMIN.
  const manages = [...s.managers.values()].some((m) => m.has(user));
  const wsRole: WsRole = kind === 'changeUserRole' && manages && step.whoIndex % 3 === 0 ? 'TASKER' : step.wsRole;
  const fitting = step.actorIndex % 4 === 0 || FITS_TYPE[type].includes(step.role) ? step.role : pick(FITS_TYPE[type], step.resources[0]);
  const role: ResourceRole = kind === 'assignUser' && step.whoIndex % 3 === 1 ? 'ADMIN' : fitting;
  const others = step.others.map((i) => pick(ids, i));
  const userIds = uniq([user, ...others, ...(step.withSelf ? [actor.id] : [])]).slice(0, 4);

  // createGroup names members and managers; updateGroup saves whole new lists: the current ones with some people toggled.
  const toggled = (now: Set<string> | undefined, toggles: string[]) => {
    const next = new Set(now ?? []);
    for (const id of toggles) if (!next.delete(id)) next.add(id);
    return [...next];
  };
  let name: string | undefined;
  let memberIds: string[] | undefined;
  let managerIds: string[] | undefined;
  const managersToo = step.managersToo.map((i) => pick(ids, i));
  if (kind === 'createGroup') {
    name = step.name;
    memberIds = uniq([...others, ...(step.withSelf ? [actor.id] : [])]);
    managerIds = uniq(managersToo);
  } else if (kind === 'updateGroup') {
    if (step.saves === 'name' || step.whoIndex % 3 === 0) name = step.name;
    if (step.saves === 'members' || step.saves === 'both') memberIds = toggled(s.members.get(groupId), uniq([...others, ...(step.withSelf ? [actor.id] : [])]));
    if (step.saves === 'managers' || step.saves === 'both') managerIds = toggled(s.managers.get(groupId), uniq(managersToo));
  }

  const emails = uniq([user, ...others.slice(0, 1)]).map((id) => byId.get(id)!.email).map((e) => (step.upper ? e.toUpperCase() : e));
  const replacementUserId = step.replacement === 'none' ? null : one(step.replacement, step.replacementIndex);

  return {
    kind,
    actor,
    user,
    userIds,
    emails,
    replacementUserId,
    type,
    resourceIds,
    role,
    wsRole,
    groupId,
    jobId,
    jobType: kind === 'retryJob' || kind === 'cancelJob' || kind === 'failJob' ? (s.jobs.get(jobId)?.type ?? jobType) : jobType,
    name,
    memberIds,
    managerIds,
  };
}

/** One line naming the step, with each person's role and status before it. */
export function describe(s: State, pool: PoolPerson[], r: Resolved): string {
  const label = new Map(pool.map((p) => [p.id, p.label]));
  const who = (id: string) => {
    const m = s.people.get(id);
    return `${label.get(id) ?? id}[${m ? `${m.role}/${m.status}` : 'outsider'}]`;
  };
  const res = (id: string) => `${s.resources.get(id)?.type.toLowerCase() ?? 'resource'}#${[...s.resources.keys()].indexOf(id)}`;
  const grp = (id: string) => `group#${[...s.groups.keys()].indexOf(id)}`;
  const people = (ids: string[] | undefined) => (ids === undefined ? '-' : `[${ids.map(who).join(' ')}]`);
  const parts: Record<Kind, () => string> = {
    createResource: () => r.type,
    assignUser: () => `${who(r.user)} ${r.role} on ${r.resourceIds.map(res).join(',')}`,
    unassignUser: () => `${who(r.user)} from ${res(r.resourceIds[0])}`,
    assignGroup: () => `${grp(r.groupId)} ${r.role} on ${r.resourceIds.map(res).join(',')}`,
    unassignGroup: () => `${grp(r.groupId)} from ${res(r.resourceIds[0])}`,
    createGroup: () => `${JSON.stringify(r.name)} members ${people(r.memberIds)} managers ${people(r.managerIds)}`,
    updateGroup: () => `${grp(r.groupId)} name ${JSON.stringify(r.name) ?? '-'} members ${people(r.memberIds)} managers ${people(r.managerIds)}`,
    deleteGroup: () => grp(r.groupId),
    addGroupMembers: () => `${grp(r.groupId)} ${people(r.userIds)}`,
    removeGroupMembers: () => `${grp(r.groupId)} ${people(r.userIds)}`,
    addGroupManagers: () => `${grp(r.groupId)} ${people(r.userIds)}`,
    removeGroupManagers: () => `${grp(r.groupId)} ${people(r.userIds)}`,
    inviteUsers: () => `${r.emails.join(',')} as ${r.wsRole}`,
    acceptInvitation: () => '',
    declineInvitation: () => '',
    changeUserRole: () => `${who(r.user)} to ${r.wsRole}`,
    removeUser: () => `${who(r.user)} replacement ${r.replacementUserId ? who(r.replacementUserId) : '-'}`,
    startJob: () => `${r.jobType} on ${res(r.resourceIds[0])}`,
    cancelJob: () => `job#${[...s.jobs.keys()].indexOf(r.jobId)} (${s.jobs.get(r.jobId)?.status}) of ${who(s.jobs.get(r.jobId)?.startedBy ?? '')}`,
    failJob: () => `job#${[...s.jobs.keys()].indexOf(r.jobId)} (${s.jobs.get(r.jobId)?.status}) of ${who(s.jobs.get(r.jobId)?.startedBy ?? '')}`,
    retryJob: () => `job#${[...s.jobs.keys()].indexOf(r.jobId)} (${s.jobs.get(r.jobId)?.status}) of ${who(s.jobs.get(r.jobId)?.startedBy ?? '')}`,
    createApiKey: () => '',
  };
  return `${r.kind} by ${who(r.actor.id)}: ${parts[r.kind]()}`;
}

// ---- Openings -----------------------------------------------------------------------------

/**
 * A sequence may open with a few set steps that make a state the rules are most about, which
 * random steps reach only rarely. They go through the API and the checks like any other step.
 */
type Build = (s: State, pool: PoolPerson[]) => Resolved;

function step(kind: Kind, actor: number, more: Partial<Resolved> = {}): Build {
  return (_s, pool) => ({
    kind,
    actor: pool[actor],
    user: pool[actor].id,
    userIds: [],
    emails: [],
    replacementUserId: null,
    type: 'PROJECT',
    resourceIds: [],
    role: 'ADMIN',
    wsRole: 'MEMBER',
    groupId: '',
    jobId: '',
    jobType: 'DATA_IMPORT',
    ...more,
  });
}

const last = <V>(m: Map<string, V>, fits: (v: V) => boolean = () => true) => [...m].filter(([, v]) => fits(v)).map(([id]) => id).at(-1)!;
const lastOf = (s: State, type: ResourceType) => last(s.resources, (r) => r.type === type);
/** A step whose people, resource, group or job are found in the state when it runs. */
const then = (kind: Kind, actor: number, more: (s: State, pool: PoolPerson[]) => Partial<Resolved>): Build => (s, pool) => step(kind, actor, more(s, pool))(s, pool);

export const OPENINGS: Array<{ name: string; steps: Build[] }> = [
  { name: 'none', steps: [] },
  {
    // D3: a TASKER (p5) is the sole ADMIN of a dataset the WORKFORCE_MANAGER (p4) does not see; p4 removes p5
    // without a replacement (REPLACEMENT_REQUIRED, the dataset hidden), then naming themselves (FORBIDDEN).
    name: 'a TASKER holds a dataset alone',
    steps: [
      step('createResource', 0, { type: 'DATASET' }),
      then('assignUser', 0, (s, pool) => ({ user: pool[5].id, type: 'DATASET', resourceIds: [lastOf(s, 'DATASET')], role: 'ADMIN' })),
      then('unassignUser', 0, (s, pool) => ({ user: pool[0].id, type: 'DATASET', resourceIds: [lastOf(s, 'DATASET')] })),
      then('removeUser', 4, (_s, pool) => ({ user: pool[5].id })),
      then('removeUser', 4, (_s, pool) => ({ user: pool[5].id, replacementUserId: pool[4].id })),
    ],
  },
  {
    // D10, D8 and "managers do not get the roles the group holds": a MEMBER (p2) manages a group with a role on a
    // project; they add a TASKER, then themselves (FORBIDDEN); an ADMIN makes them TASKER (INVARIANT).
    name: 'a MEMBER manages a group with a role',
    steps: [
      step('createResource', 1, { type: 'PROJECT' }),
      then('createGroup', 0, (_s, pool) => ({ name: 'Team', memberIds: [pool[3].id], managerIds: [pool[2].id] })),
      then('assignGroup', 1, (s) => ({ groupId: last(s.groups), type: 'PROJECT', resourceIds: [lastOf(s, 'PROJECT')], role: 'TEAM_MANAGER' })),
      then('addGroupMembers', 2, (s, pool) => ({ groupId: last(s.groups), userIds: [pool[5].id] })),
      then('addGroupMembers', 2, (s, pool) => ({ groupId: last(s.groups), userIds: [pool[2].id] })),
      then('changeUserRole', 0, (_s, pool) => ({ user: pool[2].id, wsRole: 'TASKER' })),
    ],
  },
  {
    // "groups they created or manage", D12: the WORKFORCE_MANAGER's (p4) own group; managers only through an ADMIN.
    name: "a WORKFORCE_MANAGER's group",
    steps: [
      then('createGroup', 4, (_s, pool) => ({ name: 'Crew', memberIds: [pool[5].id, pool[4].id], managerIds: [] })),
      then('createGroup', 4, (_s, pool) => ({ name: 'Crew 2', memberIds: [], managerIds: [pool[2].id] })),
      then('updateGroup', 4, (s, pool) => ({ groupId: last(s.groups), memberIds: [pool[5].id], managerIds: [pool[2].id] })),
      then('addGroupManagers', 0, (s, pool) => ({ groupId: last(s.groups), userIds: [pool[2].id] })),
    ],
  },
  {
    // "unless its last one declined": an ontology whose only direct ADMIN (p7) declines; they are invited again.
    name: 'the last ADMIN declines',
    steps: [
      step('createResource', 2, { type: 'ONTOLOGY' }),
      then('assignUser', 2, (s, pool) => ({ user: pool[7].id, type: 'ONTOLOGY', resourceIds: [lastOf(s, 'ONTOLOGY')], role: 'ADMIN' })),
      then('unassignUser', 2, (s, pool) => ({ user: pool[2].id, type: 'ONTOLOGY', resourceIds: [lastOf(s, 'ONTOLOGY')] })),
      step('declineInvitation', 7),
      then('assignUser', 0, (s, pool) => ({ user: pool[7].id, type: 'ONTOLOGY', resourceIds: [lastOf(s, 'ONTOLOGY')], role: 'USER' })),
      then('inviteUsers', 0, (_s, pool) => ({ emails: [pool[7].email], wsRole: 'MEMBER' })),
    ],
  },
  {
    // D6: a MEMBER (p2) with a failed and a PROCESSING job and an API key is removed; the dataset passes to p1.
    name: "a MEMBER's jobs",
    steps: [
      step('createResource', 2, { type: 'DATASET' }),
      then('startJob', 2, (s) => ({ type: 'DATASET', jobType: 'DATA_IMPORT', resourceIds: [lastOf(s, 'DATASET')] })),
      then('failJob', 2, (s) => ({ jobId: last(s.jobs) })),
      then('startJob', 2, (s) => ({ type: 'DATASET', jobType: 'DATA_IMPORT', resourceIds: [lastOf(s, 'DATASET')] })),
      step('createApiKey', 2),
      then('removeUser', 0, (_s, pool) => ({ user: pool[2].id, replacementUserId: pool[1].id })),
      then('retryJob', 0, (s) => ({ jobId: [...s.jobs.keys()][0] })),
    ],
  },
  {
    // D9: an ADMIN does not demote another (FORBIDDEN); one steps down; the last JOINED ADMIN keeps the role (INVARIANT).
    name: 'ADMINs step down',
    steps: [
      then('changeUserRole', 0, (_s, pool) => ({ user: pool[1].id, wsRole: 'MEMBER' })),
      then('changeUserRole', 1, (_s, pool) => ({ user: pool[1].id, wsRole: 'MEMBER' })),
      then('changeUserRole', 0, (_s, pool) => ({ user: pool[0].id, wsRole: 'WORKFORCE_MANAGER' })),
      then('removeUser', 0, (_s, pool) => ({ user: pool[1].id })),
      then('inviteUsers', 4, (_s, pool) => ({ emails: [pool[1].email], wsRole: 'TASKER' })),
    ],
  },
];
