import { isObjectType, type GraphQLSchema } from 'graphql';
import { authorize, ruleOf } from '../../../src/authorization/guard';
import { policy, type RuleName } from '../../../src/authorization/policy';
import { buildAppSchema } from '../../../src/schema';
import { oracle } from './oracle';
import { describeCase, generateCases, OPERATIONS, type Case } from './operations';
import { pureContext } from './pure-context';
import type { Verdict } from './scenario';
import { Ids } from './world';

/**
 * The generated permission suite, against the policy itself: every case (every operation of
 * the schema x every viewer x every relation to the objects it names) runs through the guard's
 * `authorize` (the operation's rule as its @auth directive names it, its target, the membership
 * check, the rule's `allow`) over the case's rows held in memory, and must come to what the
 * independent oracle (oracle.ts, from PERMISSIONS.md) says the gate decides.
 */
const OPEN_TO_ANYONE = ['Query.viewer', 'Mutation.createWorkspace'];

let schema: GraphQLSchema;
let cases: Case[];

beforeAll(async () => {
  schema = await buildAppSchema();
  cases = generateCases();
});

/** Type.field -> the rule of its @auth directive, for every ruled field of the schema. */
function ruledFields(): Map<string, RuleName> {
  const out = new Map<string, RuleName>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(schema, field as any);
      if (rule) out.set(`${type.name}.${field.name}`, rule);
    }
  }
  return out;
}

it('has a generator for every operation and ruled field of the schema, and none for fields that are gone', () => {
  const fields = [...ruledFields().keys()].sort();
  expect(Object.keys(OPERATIONS).sort()).toEqual(fields);
  for (const key of ['Query', 'Mutation', 'Subscription']) {
    const type = schema.getType(key);
    if (isObjectType(type)) for (const name of Object.keys(type.getFields())) expect(fields).toContain(`${key}.${name}`);
  }
});

/** The guard's decision on one case, over its rows in memory. */
async function decide(c: Case, rules: Map<string, RuleName>): Promise<string> {
  const ids = new Ids(c.world, `p${c.n}`);
  const call = c.invoke(ids);
  try {
    const verdict: Verdict | boolean | 'hidden' = await authorize(pureContext(c.world, ids, c.viewerKey), rules.get(c.scenario.op)!, call.parent, call.args);
    return verdict === true ? 'allow' : verdict === 'hidden' ? 'NOT_FOUND' : 'FORBIDDEN';
  } catch (error: any) {
    return error?.extensions?.code ?? `threw ${error?.message}`;
  }
}

it('decides every generated case as the oracle does', async () => {
  const rules = ruledFields();
  const started = Date.now();
  const mismatches: string[] = [];
  const tally = new Map<string, Record<string, number>>();
  for (const c of cases) {
    const got = await decide(c, rules);
    const want = oracle(c.scenario);
    if (got !== want.gate) mismatches.push(`${describeCase(c)}: policy ${got}, oracle ${want.gate}`);
    const t = tally.get(c.scenario.op) ?? {};
    t[`gate:${want.gate}`] = (t[`gate:${want.gate}`] ?? 0) + 1;
    t[`api:${want.api}`] = (t[`api:${want.api}`] ?? 0) + 1;
    tally.set(c.scenario.op, t);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `generated permission cases: ${cases.length} over ${tally.size} operations, run against the policy in ${seconds} s\n` +
      [...tally].map(([op, t]) => `  ${op}: ${Object.entries(t).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`).join('\n'),
  );
  expect(mismatches.slice(0, 40)).toEqual([]);
  expect(mismatches.length).toBe(0);

  // Every operation has cases it allows and cases it refuses (among signed-in viewers, but for the two
  // operations open to anyone signed in) and, but for those two, cases where the object is hidden.
  const lopsided: string[] = [];
  for (const op of Object.keys(OPERATIONS)) {
    const open = OPEN_TO_ANYONE.includes(op);
    const mine = cases.filter((c) => c.scenario.op === op && (open || c.scenario.viewer !== null)).map((c) => oracle(c.scenario));
    if (!mine.some((e) => e.api === 'allow')) lopsided.push(`${op}: no allowed case`);
    if (!mine.some((e) => e.api !== 'allow')) lopsided.push(`${op}: no refused case`);
    if (!open && !mine.some((e) => e.gate === 'NOT_FOUND')) lopsided.push(`${op}: no case hidden from the viewer`);
  }
  expect(lopsided).toEqual([]);
}, 120_000);

/**
 * The suite has teeth: each of these plausible slips in the policy table makes cases fail.
 * (The rule is swapped in memory for one run of its operation's cases, then put back.)
 */
const SLIPS: Array<[string, RuleName, (original: (...a: any[]) => any) => (a: any, t: any, args: any) => any]> = [
  ['REVIEWERs may create issues', 'createIssue', (o) => (a, t, args) => (t.resource.viewerRole === 'REVIEWER' ? true : o(a, t, args))],
  ['WORKFORCE_MANAGERs remove MEMBERs', 'removeUser', (o) => (a, t, args) => (a.role === 'WORKFORCE_MANAGER' && t.role === 'MEMBER' ? true : o(a, t, args))],
  ['a TEAM_MANAGER gives ADMIN', 'assignUser', (o) => (a, t, args) => o(a, t, { ...args, input: { ...args.input, role: 'USER' } })],
  ["every non-TASKER sees a resource's members", 'seeResourceMembers', () => (a) => a.role !== 'TASKER'],
  ['any WORKFORCE_MANAGER sees managers', 'seeGroupManagers', (o) => (a, t, args) => a.role === 'WORKFORCE_MANAGER' || o(a, t, args)],
  ["ADMINs revoke anyone's key", 'revokeApiKey', (o) => (a, t, args) => a.role === 'ADMIN' || o(a, t, args)],
  ["a job is visible to its project's ADMIN", 'updateJob', (o) => (a, t, args) => t.resource?.viewerRole === 'ADMIN' || o(a, t, args)],
  ['hidden objects answer FORBIDDEN', 'editGroup', (o) => (a, t, args) => (o(a, t, args) === 'hidden' ? false : o(a, t, args))],
];

it.each(SLIPS)('catches a policy where %s', async (_what, rule, slip) => {
  const rules = ruledFields();
  const ops = [...rules].filter(([, r]) => r === rule).map(([op]) => op);
  const target = policy[rule] as { allow: (...a: any[]) => any };
  const original = target.allow;
  target.allow = slip(original);
  let caught = 0;
  try {
    for (const c of cases.filter((x) => ops.includes(x.scenario.op))) if ((await decide(c, rules)) !== oracle(c.scenario).gate) caught++;
  } finally {
    target.allow = original;
  }
  expect(caught).toBeGreaterThan(0);
});
