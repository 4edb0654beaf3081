import { seesGrant, seesGroupTie } from '../../../src/authorization/scopes';
import type { Context } from '../../../src/server/context';
import { Builder } from './builder';
import { otherError, type ApiCall, type Check } from './checks';
import { GROUP_TIES, lowRole, NO_TIE, OTHERS, person, resourceTies, SELF, VIEWERS, viewerLabel } from './dimensions';
import { listOracle } from './oracle-lists';
import { JOB_TYPES, RES_TYPES, type Grant, type JobSpec, type ListScenario, type PersonSpec, type ResType } from './scenario';
import { factsOf, stepsPass, type Step } from './table';
import type { Ids } from './world';

/**
 * LIST CONTENTS: for every list, nested list, count, feed and error detail that shows objects,
 * every viewer x relation x object: is the object in it? The table's answer is every field's
 * rule on the way (authorize) and the scope of the list (its rule's `lists`, or the scope of
 * what a field without a rule shows), and for grants and group ties the composite scopes
 * (seesGrant, seesGroupTie); the oracle's is oracle-lists.ts; the API's is whether the object's
 * id comes back (and, where there is a count, whether the count is the number of items).
 */

type Relation = Omit<ListScenario, 'list' | 'viewer'>;

interface ListSpec {
  lists: string[];
  relations(list: string): Relation[];
  build(b: Builder, s: ListScenario): void;
  /** Whether the object is in the list's data at all, whatever the viewer may see (default: yes). */
  present?(s: ListScenario): boolean;
  steps(s: ListScenario, ids: Ids): Step[];
  /** A composite scope over the object (grants, group ties), after the steps. */
  helper?(ctx: Context, s: ListScenario, ids: Ids): Promise<boolean>;
  api(s: ListScenario, ids: Ids): ApiCall;
}

// ---- Reading answers ---------------------------------------------------------------------------

const FIELD_ONE: Record<ResType, string> = { PROJECT: 'project', DATASET: 'dataset', ONTOLOGY: 'ontology' };
const FIELD_MANY: Record<ResType, string> = { PROJECT: 'projects', DATASET: 'datasets', ONTOLOGY: 'ontologies' };
const TYPE_NAME: Record<ResType, string> = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' };

/** A query of workspace A selecting `inner`, with more variables. */
function inWorkspace(ids: Ids, inner: string, vars: Record<string, [string, unknown]> = {}): Pick<ApiCall, 'query' | 'variables'> {
  const decl = Object.entries(vars).map(([k, [t]]) => `, $${k}: ${t}`).join('');
  return {
    query: `query($ws: ID!${decl}) { workspace(id: $ws) { ${inner} } }`,
    variables: { ws: ids.id('A'), ...Object.fromEntries(Object.entries(vars).map(([k, [, v]]) => [k, v])) },
  };
}

/**
 * 'in' when `items` (read from the workspace) holds one that matches, 'out' when the workspace,
 * the object on the way or the list is null or lacks it; any error but a permission refusal is
 * `error <code>`. With `count`, a total that is not the number of items listed is said too.
 */
function reader(items: (ws: any) => any[] | null | undefined, match: (x: any) => boolean, count?: (ws: any) => number | undefined): ApiCall['read'] {
  return (res) => {
    const other = otherError(res);
    if (other) return other;
    const ws = res.data?.workspace;
    const list = ws ? items(ws) : null;
    if (!list) return 'out';
    const found = list.some(match) ? 'in' : 'out';
    const total = ws && count ? count(ws) : undefined;
    return total === undefined || total === list.length ? found : `${found}, but totalCount ${total} for ${list.length} listed`;
  };
}
const byId = (id: string) => (x: any) => x?.id === id;

// ---- The lists ----------------------------------------------------------------------------------

const workspaceParent = (ids: Ids) => ({ id: ids.id('A') });
const personKey = (p: PersonSpec, key = 'P') => (p.self ? 'viewer' : key);
/** The WorkspaceUser object a field of a person is asked on. */
const userParent = (ids: Ids, key: string) => ({ id: ids.id(key), userId: ids.id(key), workspaceId: ids.id('A') });
const reachUser = (ids: Ids, key: string): Step => ({ field: 'Workspace.user', parent: workspaceParent(ids), args: { id: ids.id(key) }, object: { person: key }, scope: 'person' });
const reachGroup = (ids: Ids, key: string): Step => ({ field: 'Workspace.group', parent: workspaceParent(ids), args: { id: ids.id(key) }, object: { group: key }, scope: 'group' });
const reachResource = (ids: Ids, type: ResType, key: string): Step => ({
  field: `Workspace.${FIELD_ONE[type]}`,
  parent: workspaceParent(ids),
  args: { id: ids.id(key) },
  object: { resource: key },
  scope: 'resource',
});
const reachJob = (ids: Ids, key: string): Step => ({ field: 'Workspace.job', parent: workspaceParent(ids), args: { id: ids.id(key) }, object: { job: key }, scope: 'job' });
const jobParent = (ids: Ids, key: string) => ({ id: ids.id(key), workspaceId: ids.id('A') });

/** Whose grant a case lists, and through which group (null: a direct one). */
function grantKeys(s: ListScenario): { holder: string; via: string | null; role: string } {
  const g = s.grant!;
  const tie = s.resource!;
  if (g.holder === 'self') {
    if (g.via === 'direct') return { holder: 'viewer', via: null, role: tie.direct! };
    if (g.via === 'group') return { holder: 'viewer', via: `R-g${g.index}`, role: tie.groups[g.index] };
    return { holder: 'viewer', via: 'R-gm', role: tie.managedGroup! };
  }
  return { holder: 'X', via: g.via === 'group' ? 'GX' : null, role: g.role };
}

/** The holders of other people's grants: a JOINED MEMBER, an INVITED TASKER (invited people may be given roles), an external WORKFORCE_MANAGER. */
const HOLDERS: PersonSpec[] = [person(), person({ role: 'TASKER', status: 'INVITED' }), person({ role: 'WORKFORCE_MANAGER', internal: false })];

/** Every grant a resource with the viewer's tie `tie` may show: the viewer's own, and another's directly or through a group GX. */
function grants(type: ResType, tie: ReturnType<typeof resourceTies>[number], holders = HOLDERS): Grant[] {
  const own: Grant[] = [
    ...(tie.direct ? [{ holder: 'self', via: 'direct' } as const] : []),
    ...tie.groups.map((_r, index) => ({ holder: 'self', via: 'group', index }) as const),
    ...(tie.managedGroup ? [{ holder: 'self', via: 'managed' } as const] : []),
  ];
  const others: Grant[] = holders.flatMap((p) => [
    { holder: 'other', person: p, via: 'direct', role: lowRole(type) } as const,
    ...GROUP_TIES.flatMap((groupTie) => (['ADMIN', lowRole(type)] as const).map((role) => ({ holder: 'other', person: p, via: 'group', groupTie, role }) as const)),
  ]);
  return [...own, ...others];
}

/** The rows of a grant of another person (X): directly, or through group GX. */
function buildGrant(b: Builder, s: ListScenario): void {
  const g = s.grant!;
  if (g.holder !== 'other') return;
  const x = b.person('X', g.person);
  if (g.via === 'direct') b.w.userRoles.push({ res: 'R', user: x, role: g.role });
  else {
    b.group('GX', 'here', g.groupTie, { members: [x] });
    b.w.groupRoles.push({ res: 'R', group: 'GX', role: g.role });
  }
}

/**
 * The grant as the table's composite scope sees it: the resource, who holds it, through which
 * group. A group's own grant (Group.assignments) is held by its members: the viewer among them.
 */
async function grantSeen(ctx: Context, s: ListScenario, ids: Ids, holder: 'person' | 'members'): Promise<boolean> {
  const ws = ids.id('A');
  const actor = await ctx.access.actor(ws);
  if (!actor) return false;
  const k = grantKeys(s);
  const resource = await factsOf(ctx, 'resource', ids.id('R'), ws);
  const via = k.via ? await factsOf(ctx, 'group', ids.id(k.via), ws) : null;
  if (!resource || (k.via && !via)) return false;
  const holderId = holder === 'person' ? ids.id(k.holder) : via?.viewerIsMember ? actor.userId : null;
  return seesGrant(actor, { resource, holderId, via });
}

const job = (over: Partial<JobSpec> = {}): JobSpec => ({ type: 'MODEL_TRAINING', byViewer: true, status: 'PROCESSING', resource: NO_TIE, place: 'here', ...over });
/** Jobs started by the viewer, by the owner, by another member, by a person since removed. */
const STARTERS: Array<Partial<JobSpec>> = [{ byViewer: true }, { byViewer: false }, { byViewer: false, starter: person() }, { byViewer: false, starter: person({ status: 'REMOVED' }) }];
const jobKey = (s: ListScenario) => (s.job!.byViewer ? 'viewer' : s.job!.starter ? 'J-starter' : 'owner');

/** The person whose line a list shows or whose list it is, by key. */
const P = (s: ListScenario) => personKey(s.person!);

const SPECS: ListSpec[] = [
  // ---- People of the workspace ------------------------------------------------------------
  {
    lists: ['Workspace.users', 'Workspace.user'],
    relations: (list) => [
      ...[SELF, ...OTHERS, person({ place: 'elsewhere' }), ...(list === 'Workspace.user' ? [person({ place: 'nowhere' })] : [])].map((p) => ({ person: p })),
      ...(list === 'Workspace.users' ? [{ person: person({ status: 'REMOVED' }), unfiltered: true }] : []),
    ],
    build: (b, s) => void b.person('P', s.person!),
    present: (s) => s.person!.place === 'here' && !(s.person!.status === 'REMOVED' && s.unfiltered),
    steps: (s, ids) => [
      s.list === 'Workspace.users'
        ? { field: s.list, parent: workspaceParent(ids), args: filterOf(s), object: { person: P(s) }, scope: 'person' }
        : reachUser(ids, P(s)),
    ],
    api: (s, ids) =>
      withStatus(
        s,
        ids,
        s.list === 'Workspace.users'
          ? {
              ...inWorkspace(ids, 'users(filter: $filter, first: 100) { totalCount nodes { id status removedAt } }', { filter: ['UserFilter', filterOf(s).filter ?? null] }),
              read: reader((ws) => ws.users?.nodes, byId(ids.id(P(s))), (ws) => ws.users?.totalCount),
            }
          : { ...inWorkspace(ids, 'user(id: $id) { id status removedAt }', { id: ['ID!', ids.id(P(s))] }), read: reader((ws) => (ws.user ? [ws.user] : []), byId(ids.id(P(s)))) },
      ),
  },

  // ---- Groups ----------------------------------------------------------------------------------
  {
    lists: ['Workspace.groups', 'Workspace.group'],
    relations: (list) => [
      ...GROUP_TIES.map((group) => ({ group })),
      { group: GROUP_TIES[0], place: 'elsewhere' as const },
      ...(list === 'Workspace.group' ? [{ group: GROUP_TIES[0], place: 'nowhere' as const }] : []),
    ],
    build: (b, s) => b.group('G', s.place ?? 'here', s.group!),
    present: (s) => (s.place ?? 'here') === 'here',
    steps: (s, ids) => [s.list === 'Workspace.groups' ? { field: s.list, parent: workspaceParent(ids), args: {}, object: { group: 'G' }, scope: 'group' } : reachGroup(ids, 'G')],
    api: (s, ids) =>
      s.list === 'Workspace.groups'
        ? { ...inWorkspace(ids, 'groups { id }'), read: reader((ws) => ws.groups, byId(ids.id('G'))) }
        : { ...inWorkspace(ids, 'group(id: $g) { id }', { g: ['ID!', ids.id('G')] }), read: reader((ws) => (ws.group ? [ws.group] : []), byId(ids.id('G'))) },
  },
  {
    // A person's groups: those they belong to, and those they manage.
    lists: ['WorkspaceUser.groups'],
    relations: () => [
      ...(['member', 'manager'] as const).flatMap((personTie) => GROUP_TIES.map((group) => ({ person: person(), personTie, group }))),
      ...GROUP_TIES.filter((g) => g.member).map((group) => ({ person: SELF, personTie: 'member' as const, group })),
      ...GROUP_TIES.filter((g) => g.manager && !g.member).map((group) => ({ person: SELF, personTie: 'manager' as const, group })),
    ],
    build: (b, s) => {
      const p = b.person('P', s.person!);
      b.group('G', 'here', s.group!, s.personTie === 'member' ? { members: [p] } : { managers: [p] });
    },
    steps: (s, ids) => [reachUser(ids, P(s)), { field: 'WorkspaceUser.groups', parent: userParent(ids, P(s)), args: {}, object: { group: 'G' }, scope: 'group' }],
    helper: async (ctx, s, ids) => {
      const ws = ids.id('A');
      const actor = await ctx.access.actor(ws);
      const group = await factsOf(ctx, 'group', ids.id('G'), ws);
      return !!actor && !!group && seesGroupTie(actor, { group, member: s.personTie === 'member' });
    },
    api: (s, ids) => ({ ...inWorkspace(ids, 'user(id: $p) { groups { id } }', { p: ['ID!', ids.id(P(s))] }), read: reader((ws) => ws.user?.groups, byId(ids.id('G'))) }),
  },
  {
    lists: ['Group.members', 'Group.managers'],
    relations: (list) =>
      GROUP_TIES.flatMap((group) => {
        const members = list === 'Group.members';
        const others = members ? [person(), person({ role: 'TASKER', status: 'INVITED' }), person({ role: 'WORKFORCE_MANAGER' })] : [person(), person({ status: 'INVITED' })];
        const self = (members ? group.member : group.manager) ? [SELF] : [];
        return [...self, ...others].map((p) => ({ group, person: p }));
      }),
    build: (b, s) => {
      const x = b.person('X', s.person!);
      b.group('G', 'here', s.group!, s.list === 'Group.members' ? { members: [x] } : { managers: [x] });
    },
    steps: (s, ids) => [reachGroup(ids, 'G'), { field: s.list, parent: { id: ids.id('G'), workspaceId: ids.id('A') }, args: {}, object: { person: personKey(s.person!, 'X') }, scope: 'person' }],
    api: (s, ids) => {
      const field = s.list === 'Group.members' ? 'members' : 'managers';
      return { ...inWorkspace(ids, `group(id: $g) { ${field} { id } }`, { g: ['ID!', ids.id('G')] }), read: reader((ws) => ws.group?.[field], byId(ids.id(personKey(s.person!, 'X')))) };
    },
  },

  {
    // The people list filtered by a group (the group-manager and member pickers): the list's scope and the
    // group's members scope together, so a group the viewer may not see filters to nobody.
    lists: ['Workspace.users(groupId)'],
    relations: () => GROUP_TIES.flatMap((group) => [...(group.member ? [SELF] : []), person(), person({ role: 'TASKER', status: 'INVITED' })].map((p) => ({ group, person: p }))),
    build: (b, s) => {
      const x = b.person('X', s.person!);
      b.group('G', 'here', s.group!, { members: [x] });
    },
    steps: (s, ids) => [
      { field: 'Workspace.users', parent: workspaceParent(ids), args: { filter: { groupId: ids.id('G') } }, object: { person: personKey(s.person!, 'X') }, scope: 'person' },
      { field: 'UserFilter.groupId', args: {}, object: { group: 'G' }, scope: 'groupMembers' },
    ],
    api: (s, ids) => ({
      ...inWorkspace(ids, 'users(filter: $filter, first: 100) { totalCount nodes { id } }', { filter: ['UserFilter', { groupId: ids.id('G') }] }),
      read: reader((ws) => ws.users?.nodes, byId(ids.id(personKey(s.person!, 'X'))), (ws) => ws.users?.totalCount),
    }),
  },

  // ---- Resources -------------------------------------------------------------------------------
  {
    lists: RES_TYPES.flatMap((t) => [`Workspace.${FIELD_MANY[t]}`, `Workspace.${FIELD_ONE[t]}`]),
    relations: (list) => {
      const type = typeOfList(list);
      const single = !list.endsWith('s');
      return [
        ...resourceTies(type).map((resource) => ({ resourceType: type, resource })),
        { resourceType: type, resource: NO_TIE, place: 'elsewhere' as const },
        ...(single ? [{ resourceType: type, resource: NO_TIE, place: 'nowhere' as const }] : []),
      ];
    },
    build: (b, s) => b.resource('R', s.place ?? 'here', s.resourceType!, s.resource),
    present: (s) => (s.place ?? 'here') === 'here',
    steps: (s, ids) =>
      s.list.endsWith('s')
        ? [{ field: s.list, parent: workspaceParent(ids), args: {}, object: { resource: 'R' }, scope: 'resource' }]
        : [reachResource(ids, s.resourceType!, 'R')],
    api: (s, ids) => {
      const type = s.resourceType!;
      return s.list.endsWith('s')
        ? {
            ...inWorkspace(ids, `${FIELD_MANY[type]}(first: 100) { totalCount nodes { id } }`),
            read: reader((ws) => ws[FIELD_MANY[type]]?.nodes, byId(ids.id('R')), (ws) => ws[FIELD_MANY[type]]?.totalCount),
          }
        : { ...inWorkspace(ids, `${FIELD_ONE[type]}(id: $r) { id }`, { r: ['ID!', ids.id('R')] }), read: reader((ws) => (ws[FIELD_ONE[type]] ? [ws[FIELD_ONE[type]]] : []), byId(ids.id('R'))) };
    },
  },
  // ---- Jobs -------------------------------------------------------------------------------------
  {
    lists: ['Workspace.jobs', 'Workspace.job', 'Subscription.jobEvents'],
    relations: (list) => [
      ...JOB_TYPES.flatMap((type) =>
        STARTERS.flatMap((starter) => resourceTies(type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT').map((resource) => ({ job: job({ type, resource, ...starter }) }))),
      ),
      ...(list === 'Subscription.jobEvents' ? [] : [{ job: job({ place: 'elsewhere' }) }]),
      ...(list === 'Workspace.job' ? [{ job: job({ place: 'nowhere' }) }] : []),
    ],
    build: (b, s) => {
      b.jobOf('J', s.job!);
      // The feed's sentinel: the viewer's own job, whose event comes after J's (always delivered to them).
      if (s.list === 'Subscription.jobEvents') b.jobOf('S', job());
    },
    present: (s) => s.job!.place === 'here',
    steps: (s, ids) =>
      s.list === 'Workspace.job'
        ? [reachJob(ids, 'J')]
        : [
            s.list === 'Workspace.jobs'
              ? { field: s.list, parent: workspaceParent(ids), args: {}, object: { job: 'J' }, scope: 'job' }
              : { field: s.list, args: { workspaceId: ids.id('A') }, object: { job: 'J' }, scope: 'job' },
          ],
    api: (s, ids) => {
      if (s.list === 'Workspace.jobs') {
        return { ...inWorkspace(ids, 'jobs(first: 100) { totalCount nodes { id } }'), read: reader((ws) => ws.jobs?.nodes, byId(ids.id('J')), (ws) => ws.jobs?.totalCount) };
      }
      if (s.list === 'Workspace.job') return { ...inWorkspace(ids, 'job(id: $j) { id }', { j: ['ID!', ids.id('J')] }), read: reader((ws) => (ws.job ? [ws.job] : []), byId(ids.id('J'))) };
      return {
        query: `subscription($ws: ID!, $after: String) { jobEvents(workspaceId: $ws, after: $after) { job { id } status } }`,
        variables: { ws: ids.id('A') },
        ws: true,
        sentinel: ids.id('S'),
        read: (res) => (res.errors?.length ? (otherError(res) ?? 'out') : res.events?.some((e) => e?.job?.id === ids.id('J')) ? 'in' : 'out'),
      };
    },
  },
  {
    lists: ['Job.retryOf'],
    relations: () => [true, false].flatMap((a) => [true, false].map((b) => ({ job: job({ byViewer: a, status: 'PROCESSING' }), retried: job({ byViewer: b, status: 'ERROR' }) }))),
    build: (b, s) => {
      b.jobOf('J0', s.retried!);
      b.jobOf('J', s.job!, 'J0');
    },
    steps: (_s, ids) => [reachJob(ids, 'J'), { field: 'Job.retryOf', parent: jobParent(ids, 'J'), args: {}, object: { job: 'J0' }, scope: 'job' }],
    api: (_s, ids) => ({ ...inWorkspace(ids, 'job(id: $j) { retryOf { id } }', { j: ['ID!', ids.id('J')] }), read: reader((ws) => (ws.job?.retryOf ? [ws.job.retryOf] : []), byId(ids.id('J0'))) }),
  },
  {
    lists: ['Job.user'],
    relations: () => [...STARTERS, { byViewer: false, starter: person({ role: 'TASKER' }) }].map((starter) => ({ job: job(starter) })),
    build: (b, s) => b.jobOf('J', s.job!),
    steps: (s, ids) => [reachJob(ids, 'J'), { field: 'Job.user', parent: jobParent(ids, 'J'), args: {}, object: { person: jobKey(s) }, scope: 'person' }],
    api: (s, ids) => ({
      ...inWorkspace(ids, 'job(id: $j) { user { id status } }', { j: ['ID!', ids.id('J')] }),
      read: (res) => {
        const seen = reader((ws) => (ws.job?.user ? [ws.job.user] : []), byId(ids.id(jobKey(s))))(res);
        // "wherever history names them (jobs, audit log) they show as REMOVED" (decision 6).
        const removed = s.job!.starter?.status === 'REMOVED';
        const status = res.data?.workspace?.job?.user?.status;
        return seen === 'in' && removed && status !== 'REMOVED' ? `in, but status ${status}` : seen;
      },
    }),
  },
  {
    lists: ['Job.project', 'Job.dataset'],
    relations: (list) => {
      const type = list === 'Job.project' ? 'LABEL_IMPORT' : 'DATA_IMPORT';
      return [true, false].flatMap((byViewer) => resourceTies(list === 'Job.project' ? 'PROJECT' : 'DATASET').map((resource) => ({ job: job({ type, byViewer, resource }) })));
    },
    build: (b, s) => b.jobOf('J', s.job!),
    steps: (s, ids) => [reachJob(ids, 'J'), { field: s.list, parent: jobParent(ids, 'J'), args: {}, object: { resource: 'J-R' }, scope: 'resource' }],
    api: (s, ids) => {
      const field = s.list === 'Job.project' ? 'project' : 'dataset';
      return { ...inWorkspace(ids, `job(id: $j) { ${field} { id } }`, { j: ['ID!', ids.id('J')] }), read: reader((ws) => (ws.job?.[field] ? [ws.job[field]] : []), byId(ids.id('J-R'))) };
    },
  },
  {
    lists: ['Workspace.apiKeys'],
    relations: () => [{ ownKey: true }, { ownKey: false }],
    build: (b, s) => void b.w.apiKeys.push({ key: 'K', ws: 'A', user: s.ownKey && s.viewer ? 'viewer' : 'owner' }),
    steps: (_s, ids) => [{ field: 'Workspace.apiKeys', parent: workspaceParent(ids), args: {}, object: { apiKey: 'K' }, scope: 'apiKey' }],
    api: (_s, ids) => ({ ...inWorkspace(ids, 'apiKeys { id }'), read: reader((ws) => ws.apiKeys, byId(ids.id('K'))) }),
  },

  // ---- Grants: the biggest families last, so that a planted bug in a small scope is met early ----
  {
    // A resource's members: each grant, the viewer's own and others', direct and through groups.
    lists: RES_TYPES.map((t) => `${TYPE_NAME[t]}.members`),
    relations: (list) => {
      const type = typeOfList(list);
      return resourceTies(type).flatMap((resource) => grants(type, resource).map((grant) => ({ resourceType: type, resource, grant })));
    },
    build: (b, s) => {
      b.resource('R', 'here', s.resourceType!, s.resource);
      buildGrant(b, s);
    },
    present: (s) => !(s.grant!.holder === 'self' && s.grant!.via === 'managed'),
    steps: (s, ids) => [
      reachResource(ids, s.resourceType!, 'R'),
      { field: s.list, parent: { id: ids.id('R'), workspaceId: ids.id('A') }, args: {}, object: { person: grantKeys(s).holder }, scope: 'person' },
    ],
    helper: (ctx, s, ids) => grantSeen(ctx, s, ids, 'person'),
    api: (s, ids) => {
      const k = grantKeys(s);
      const one = FIELD_ONE[s.resourceType!];
      return {
        ...inWorkspace(ids, `${one}(id: $r) { members { user { id } role via { id } } }`, { r: ['ID!', ids.id('R')] }),
        read: reader((ws) => ws[one]?.members, (m) => m?.user?.id === ids.id(k.holder) && m.role === k.role && (m.via?.id ?? null) === (k.via ? ids.id(k.via) : null)),
      };
    },
  },
  {
    // A person's grants (with `via`): the viewer's own, and another person's.
    lists: ['WorkspaceUser.assignments'],
    relations: () =>
      RES_TYPES.flatMap((type) => resourceTies(type).flatMap((resource) => grants(type, resource).map((grant) => ({ resourceType: type, resource, grant })))),
    build: (b, s) => {
      b.resource('R', 'here', s.resourceType!, s.resource);
      buildGrant(b, s);
    },
    present: (s) => !(s.grant!.holder === 'self' && s.grant!.via === 'managed'),
    steps: (s, ids) => {
      const holder = grantKeys(s).holder;
      return [reachUser(ids, holder), { field: 'WorkspaceUser.assignments', parent: userParent(ids, holder), args: {}, object: { resource: 'R' }, scope: 'resource' }];
    },
    helper: (ctx, s, ids) => grantSeen(ctx, s, ids, 'person'),
    api: (s, ids) => {
      const k = grantKeys(s);
      return {
        ...inWorkspace(ids, 'user(id: $p) { assignments { resource { id } role via { id } } }', { p: ['ID!', ids.id(k.holder)] }),
        read: reader((ws) => ws.user?.assignments, (a) => a?.resource?.id === ids.id('R') && a.role === k.role && (a.via?.id ?? null) === (k.via ? ids.id(k.via) : null)),
      };
    },
  },
  {
    // A group's roles on resources.
    lists: ['Group.assignments'],
    relations: () =>
      RES_TYPES.flatMap((type) =>
        resourceTies(type).flatMap((resource) =>
          grants(type, resource, [person()])
            .filter((g) => g.holder === 'other' && g.via === 'group')
            .map((grant) => ({ resourceType: type, resource, grant })),
        ),
      ),
    build: (b, s) => {
      b.resource('R', 'here', s.resourceType!, s.resource);
      buildGrant(b, s);
    },
    steps: (_s, ids) => [reachGroup(ids, 'GX'), { field: 'Group.assignments', parent: { id: ids.id('GX'), workspaceId: ids.id('A') }, args: {}, object: { resource: 'R' }, scope: 'resource' }],
    helper: (ctx, s, ids) => grantSeen(ctx, s, ids, 'members'),
    api: (s, ids) => ({
      ...inWorkspace(ids, 'group(id: $g) { assignments { resource { id } role } }', { g: ['ID!', ids.id('GX')] }),
      read: reader((ws) => ws.group?.assignments, (a) => a?.resource?.id === ids.id('R') && a.role === grantKeys(s).role),
    }),
  },
  {
    // Resources a person is the only direct ADMIN of (soleAdminOf), and REPLACEMENT_REQUIRED's when removing them.
    lists: ['WorkspaceUser.soleAdminOf', 'Mutation.removeUser.resources'],
    relations: (list) =>
      RES_TYPES.flatMap((type) => {
        const others = [person(), person({ role: 'TASKER' })].flatMap((p) =>
          resourceTies(type)
            .filter((t) => t.direct !== 'ADMIN') // another direct ADMIN would leave them not the only one
            .map((resource) => ({ person: p, resourceType: type, resource })),
        );
        const self = resourceTies(type)
          .filter((t) => t.direct === 'ADMIN')
          .map((resource) => ({ person: SELF, resourceType: type, resource }));
        return list === 'WorkspaceUser.soleAdminOf' ? [...self, ...others] : others;
      }),
    build: (b, s) => {
      b.resource('R', 'here', s.resourceType!, s.resource, { owner: false });
      const p = b.person('P', s.person!);
      if (p !== 'viewer') b.w.userRoles.push({ res: 'R', user: p, role: 'ADMIN' });
    },
    steps: (s, ids) =>
      s.list === 'WorkspaceUser.soleAdminOf'
        ? [reachUser(ids, P(s)), { field: 'WorkspaceUser.soleAdminOf', parent: userParent(ids, P(s)), args: {}, object: { resource: 'R' }, scope: 'resource' }]
        : [{ field: 'Mutation.removeUser', args: { input: { workspaceId: ids.id('A'), userId: ids.id(P(s)) } }, object: { resource: 'R' }, scope: 'resource' }], // the error names resources
    api: (s, ids) => (s.list === 'WorkspaceUser.soleAdminOf' ? soleAdminCall(s, ids) : replacementRequiredCall(s, ids)),
  },
  {
    lists: ['IssueTag.project'],
    relations: () => resourceTies('PROJECT').map((resource) => ({ resourceType: 'PROJECT' as const, resource })),
    build: (b, s) => {
      b.resource('R', 'here', 'PROJECT', s.resource);
      b.w.issueTags.push({ key: 'IT', ws: 'A', project: 'R' });
    },
    steps: (_s, ids) => [
      reachResource(ids, 'PROJECT', 'R'),
      { field: 'Project.issueTags', parent: { id: ids.id('R'), workspaceId: ids.id('A') }, args: {} },
      { field: 'IssueTag.project', parent: { id: ids.id('IT'), projectId: ids.id('R'), workspaceId: ids.id('A') }, args: {}, object: { resource: 'R' }, scope: 'resource' },
    ],
    api: (_s, ids) => ({
      ...inWorkspace(ids, 'project(id: $r) { issueTags { id project { id } } }', { r: ['ID!', ids.id('R')] }),
      read: reader((ws) => ws.project?.issueTags, (t) => t?.id === ids.id('IT') && t.project?.id === ids.id('R')),
    }),
  },

];

function typeOfList(list: string): ResType {
  const l = list.toLowerCase();
  return l.includes('project') ? 'PROJECT' : l.includes('dataset') ? 'DATASET' : 'ONTOLOGY';
}

/** REMOVED people are listed when asked for by status (decision 1). */
const filterOf = (s: ListScenario): { filter?: { status: string } } =>
  s.person?.status === 'REMOVED' && !s.person.self && !s.unfiltered ? { filter: { status: 'REMOVED' } } : {};

/** A person listed shows their status, and a REMOVED one when they were removed (decision 1). */
function withStatus(s: ListScenario, ids: Ids, call: ApiCall): ApiCall {
  return {
    ...call,
    read: (res) => {
      const answer = call.read(res);
      if (answer !== 'in' || s.person!.self) return answer;
      const ws = res.data?.workspace;
      const shown = (ws?.users?.nodes ?? [ws?.user]).find((u: any) => u?.id === ids.id(P(s)));
      const removed = s.person!.status === 'REMOVED';
      return shown?.status === s.person!.status && (shown?.removedAt != null) === removed ? 'in' : `in, but status ${shown?.status} removedAt ${shown?.removedAt}`;
    },
  };
}

function soleAdminCall(s: ListScenario, ids: Ids): ApiCall {
  return {
    ...inWorkspace(ids, 'user(id: $p) { soleAdminOf { resources { id } hiddenCount } }', { p: ['ID!', ids.id(P(s))] }),
    read: (res) => {
      const found = reader((ws) => ws.user?.soleAdminOf?.resources, byId(ids.id('R')))(res);
      const sole = res.data?.workspace?.user?.soleAdminOf;
      // What is not listed is counted: the one resource is either listed or hidden.
      return sole && found === 'out' && sole.hiddenCount !== 1 ? `out, but hiddenCount ${sole.hiddenCount}` : found;
    },
  };
}

function replacementRequiredCall(s: ListScenario, ids: Ids): ApiCall {
  return {
    query: `mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId } }`,
    variables: { input: { workspaceId: ids.id('A'), userId: ids.id(P(s)) } },
    read: (res) => {
      const error = res.errors?.[0];
      if (!error) return 'removed without a replacement';
      const code = error.extensions?.code;
      if (code !== 'REPLACEMENT_REQUIRED') return PERMISSION_REFUSAL.has(code) ? 'out' : `error ${code ?? error.message}`;
      const listed = (error.extensions?.resources ?? []).some((r: any) => r?.id === ids.id('R'));
      const hidden = error.extensions?.hiddenCount;
      if (listed) return hidden === 0 ? 'in' : `in, but hiddenCount ${hidden}`;
      return hidden === 1 ? 'out' : `out, but hiddenCount ${hidden}`;
    },
  };
}
const PERMISSION_REFUSAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

/** The lists the list cases are about (a field with a rule among them needs no gate generator of its own). */
export const LIST_FIELDS: readonly string[] = SPECS.flatMap((spec) => spec.lists);

/** Every list case: every list x relation x viewer. */
export function* listChecks(): Generator<Check> {
  let n = 0;
  for (const spec of SPECS) {
    for (const list of spec.lists) {
      for (const relation of spec.relations(list)) {
        for (const viewer of VIEWERS) {
          const s: ListScenario = { list, viewer, ...relation };
          yield listCheck(spec, s, n++);
        }
      }
    }
  }
}

function listCheck(spec: ListSpec, s: ListScenario, n: number): Check {
  return {
    kind: 'list',
    key: s.list,
    n,
    viewer: s.viewer,
    viewerKey: s.viewer ? 'viewer' : null,
    describe: () => {
      const { list, viewer, ...rest } = s;
      return `list #${n} ${list} by ${viewerLabel(viewer)} ${JSON.stringify(rest)}`;
    },
    build: () => {
      const b = new Builder(s.viewer);
      spec.build(b, s);
      return b.w;
    },
    expected: () => {
      const inList = listOracle(s) ? 'in' : 'out';
      return { table: [inList], api: [inList], writes: false };
    },
    table: async (ctx, ids, rules) => {
      if (spec.present && !spec.present(s)) return 'out';
      if (!ctx.viewer) return 'out';
      try {
        if (!(await stepsPass(ctx, rules, spec.steps(s, ids), ids, ids.id('A')))) return 'out';
        return !spec.helper || (await spec.helper(ctx, s, ids)) ? 'in' : 'out';
      } catch (error: any) {
        return `threw ${error?.message}`;
      }
    },
    call: (ids) => spec.api(s, ids),
  };
}
