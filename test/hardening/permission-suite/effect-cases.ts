import { effectsAllow } from '../../../src/authorization/effects';
import { policy, type AnyRule } from '../../../src/authorization/policy';
import { targets } from '../../../src/authorization/targets';
import { Builder } from './builder';
import type { ApiCall, Check } from './checks';
import { GROUP_TIES, NO_TIE, person, resourceTies, SELF, VIEWERS, viewerLabel } from './dimensions';
import { effectOracle, effectsAsked } from './oracle-effects';
import { JOB_TYPES, type EffectScenario, type JobSpec, type PersonSpec, type ResourceTie, type ResType } from './scenario';
import { verdictOf } from './table';
import type { Ids } from './world';

/**
 * EFFECTS: every input with another operation's effect (src/authorization/effects.ts declares
 * them; the oracle decides them from docs/permissions.md): createGroup's and updateGroup's memberIds
 * and managerIds, removeUser's replacementUserId, retryJob. Each case is checked twice against
 * the table: the whole gate (`authorize`: the rule, then `effectsAllow`), and the implied
 * operations alone (`effectsAllow` on the operation's target), so that every effect counts
 * even where the operation's own rule would refuse first.
 */

/** Everyone a case may name, by slot. */
const PEOPLE: Record<string, PersonSpec> = {
  self: SELF,
  owner: person({ role: 'ADMIN' }),
  m1: person(),
  m2: person({ role: 'TASKER' }),
  k1: person(),
  k2: person({ role: 'WORKFORCE_MANAGER' }),
  inv: person({ status: 'INVITED' }),
  invAdmin: person({ role: 'ADMIN', status: 'INVITED' }),
  invWfm: person({ role: 'WORKFORCE_MANAGER', status: 'INVITED' }),
  dec: person({ status: 'DECLINED' }),
  rem: person({ status: 'REMOVED' }),
  ext: person({ internal: false }),
  tasker: person({ role: 'TASKER' }),
  else: person({ place: 'elsewhere' }),
  none: person({ place: 'nowhere' }),
};

type Relation = Omit<EffectScenario, 'op' | 'viewer'>;

function createGroupRelations(): Relation[] {
  const members: Array<string[] | undefined> = [undefined, [], ['self'], ['m1'], ['m1', 'm2'], ['inv'], ['dec'], ['rem'], ['else'], ['none'], ['m1', 'else']];
  const managers: Array<string[] | undefined> = [undefined, ['self'], ['k1'], ['ext'], ['tasker'], ['invWfm'], ['else'], ['k1', 'ext']];
  return members.flatMap((memberIds) => managers.map((managerIds) => ({ people: PEOPLE, ...(memberIds ? { memberIds } : {}), ...(managerIds ? { managerIds } : {}) })));
}

/** New lists relative to who is in the group now: unchanged, reordered, one more (of each kind), one fewer, emptied. */
function updateGroupRelations(): Relation[] {
  const out: Relation[] = [];
  for (const group of GROUP_TIES) {
    const membersNow = ['m1', ...(group.member ? ['self'] : [])];
    const managersNow = ['k1', ...(group.manager ? ['self'] : [])];
    const without = (list: string[], x: string) => list.filter((y) => y !== x);
    const memberLists: Array<string[] | undefined> = [
      undefined,
      membersNow,
      [...membersNow].reverse(),
      [...membersNow, 'm2'],
      without(membersNow, 'm1'),
      group.member ? without(membersNow, 'self') : [...membersNow, 'self'],
      [...membersNow, 'inv'],
      [...membersNow, 'dec'],
      [...membersNow, 'rem'],
      [...membersNow, 'else'],
      [],
    ];
    const managerLists: Array<string[] | undefined> = [
      undefined,
      managersNow,
      [...managersNow, 'k2'],
      without(managersNow, 'k1'),
      [...managersNow, 'ext'],
      [...managersNow, 'tasker'],
      [...managersNow, 'else'],
      group.manager ? without(managersNow, 'self') : [...managersNow, 'self'],
    ];
    for (const memberIds of memberLists)
      for (const managerIds of managerLists)
        out.push({ people: PEOPLE, group, membersNow, managersNow, ...(memberIds ? { memberIds } : {}), ...(managerIds ? { managerIds } : {}) });
  }
  return out;
}

/** The person removed (TASKER or MEMBER), what they alone are ADMIN of (none, one, two), and each replacement. */
function removeUserRelations(): Relation[] {
  const notDirectAdmin = (type: ResType) => resourceTies(type).filter((t) => t.direct !== 'ADMIN');
  const handed: Array<Array<{ type: ResType; tie: ResourceTie }>> = [
    [],
    ...notDirectAdmin('DATASET').map((tie) => [{ type: 'DATASET' as const, tie }]),
    ...notDirectAdmin('PROJECT').map((tie) => [{ type: 'PROJECT' as const, tie }]),
    [
      { type: 'DATASET', tie: { direct: null, groups: ['ADMIN'], managedGroup: null } },
      { type: 'PROJECT', tie: NO_TIE },
    ],
  ];
  const replacements = ['owner', 'self', 'm1', 'tasker', 'inv', 'invAdmin', 'dec', 'rem', 'else', 'none', 'P'];
  return [person({ role: 'TASKER' }), person()].flatMap((subject) =>
    handed.flatMap((handedOver) => replacements.map((replacement) => ({ people: PEOPLE, subject, handedOver, replacement }))),
  );
}

function retryJobRelations(): Relation[] {
  return JOB_TYPES.flatMap((type) =>
    [true, false].flatMap((byViewer) =>
      (['ERROR', 'CANCELLED'] as const).flatMap((status) =>
        resourceTies(type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT').map((resource) => ({ job: { type, byViewer, status, resource, place: 'here' } as JobSpec })),
      ),
    ),
  );
}

const RELATIONS: Record<EffectScenario['op'], () => Relation[]> = {
  'Mutation.createGroup': createGroupRelations,
  'Mutation.updateGroup': updateGroupRelations,
  'Mutation.removeUser': removeUserRelations,
  'Mutation.retryJob': retryJobRelations,
};

// ---- Rows and calls ----------------------------------------------------------------------------

/** The user key of a slot ('self' the viewer, 'owner' the workspace's owner, else the slot's own). */
const keyOf = (name: string) => (name === 'self' ? 'viewer' : name === 'owner' ? 'owner' : `p-${name}`);

function build(s: EffectScenario): Builder {
  const b = new Builder(s.viewer);
  const named = new Set([...(s.membersNow ?? []), ...(s.managersNow ?? []), ...(s.memberIds ?? []), ...(s.managerIds ?? []), ...(s.replacement && s.replacement !== 'P' ? [s.replacement] : [])]);
  for (const name of named) if (name !== 'self' && name !== 'owner') b.person(keyOf(name), s.people![name]);
  switch (s.op) {
    case 'Mutation.updateGroup':
      b.group('G', 'here', s.group!, { members: s.membersNow!.map(keyOf), managers: s.managersNow!.map(keyOf) });
      break;
    case 'Mutation.removeUser': {
      const p = b.person('P', s.subject!);
      s.handedOver!.forEach((r, i) => {
        b.resource(`R${i}`, 'here', r.type, r.tie, { owner: false });
        b.w.userRoles.push({ res: `R${i}`, user: p, role: 'ADMIN' });
      });
      break;
    }
    case 'Mutation.retryJob':
      b.jobOf('J', s.job!);
      break;
  }
  return b;
}

function invoke(s: EffectScenario, ids: Ids): { args: Record<string, any>; call: ApiCall } {
  const idsOf = (names?: string[]) => names?.map((n) => ids.id(keyOf(n)));
  const lists = { ...(s.memberIds ? { memberIds: idsOf(s.memberIds) } : {}), ...(s.managerIds ? { managerIds: idsOf(s.managerIds) } : {}) };
  const mutation = (name: string, inputType: string | null, args: Record<string, any>, selection: string) => {
    const [arg, type] = inputType ? ['input', `${inputType}!`] : ['jobId', 'ID!'];
    return {
      args,
      call: {
        query: `mutation($${arg}: ${type}) { ${name}(${arg}: $${arg}) { ${selection} } }`,
        variables: args,
        read: (res: { errors?: Array<{ message: string; extensions?: Record<string, any> }> }) =>
          res.errors?.length ? (res.errors[0].extensions?.code ?? `no code: ${res.errors[0].message}`) : 'allow',
      },
    };
  };
  switch (s.op) {
    case 'Mutation.createGroup':
      return mutation('createGroup', 'CreateGroupInput', { input: { workspaceId: ids.id('A'), name: 'New group', ...lists } }, 'id');
    case 'Mutation.updateGroup':
      return mutation('updateGroup', 'UpdateGroupInput', { input: { groupId: ids.id('G'), name: 'Renamed group', ...lists } }, 'id');
    case 'Mutation.removeUser': {
      const replacement = s.replacement === 'P' ? ids.id('P') : ids.id(keyOf(s.replacement!));
      return mutation('removeUser', 'RemoveUserInput', { input: { workspaceId: ids.id('A'), userId: ids.id('P'), replacementUserId: replacement } }, 'removedUserId');
    }
    case 'Mutation.retryJob':
      return mutation('retryJob', null, { jobId: ids.id('J') }, 'id');
  }
}

// ---- The cases -----------------------------------------------------------------------------------

export function* effectChecks(): Generator<Check> {
  let n = 0;
  for (const [op, relations] of Object.entries(RELATIONS) as Array<[EffectScenario['op'], () => Relation[]]>) {
    for (const relation of relations()) {
      for (const viewer of VIEWERS) yield effectCheck({ op, viewer, ...relation }, n++);
    }
  }
}

function effectCheck(s: EffectScenario, n: number): Check {
  return {
    kind: 'effect',
    key: s.op,
    n,
    viewer: s.viewer,
    viewerKey: s.viewer ? 'viewer' : null,
    describe: () => {
      const { op, viewer, people: _people, ...rest } = s;
      return `effect #${n} ${op} by ${viewerLabel(viewer)} ${JSON.stringify(rest)}`;
    },
    build: () => build(s).w,
    expected: () => {
      const e = effectOracle(s);
      const effects = e.effects === null ? '-' : String(e.effects);
      const gates = [e.gate, e.alt, e.gateAlt].filter((x): x is NonNullable<typeof x> => !!x);
      return { table: gates.map((g) => `${g}; effects ${effects}`), api: [e.api, ...(e.alt ? [e.alt] : [])], writes: e.api === 'allow' };
    },
    table: async (ctx, ids, rules) => {
      const rule = rules.get(s.op);
      if (!rule) return `no rule for ${s.op}`;
      const { args } = invoke(s, ids);
      const gate = await verdictOf(ctx, rule, undefined, args);
      if (!effectsAsked(s)) return `${gate}; effects -`;
      // The implied operations alone: effectsAllow on the operation's target, as the viewer (a JOINED member).
      const ws = ids.id('A');
      const membership = await ctx.access.membership(ws);
      const target = await targets[(policy[rule] as AnyRule).target](ctx, undefined, args);
      if (!membership || !target) return `${gate}; effects on no target`;
      const verdict = effectsAllow(rule, { userId: membership.userId, role: membership.role, membership }, target, args);
      return `${gate}; effects ${verdict === true}`;
    },
    call: (ids) => invoke(s, ids).call,
  };
}
