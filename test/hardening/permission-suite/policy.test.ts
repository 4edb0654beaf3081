import type { RuleName } from '../../../src/authorization/policy';
import { policy } from '../../../src/authorization/policy';
import { checksOf } from './all-checks';
import { KINDS, type Kind } from './checks';
import { fieldRules, rootFields } from './field-rules';
import { LIST_FIELDS } from './list-cases';
import { ALWAYS_ALLOWED, OPERATIONS } from './operations';
import { tableAnswer } from './run-table';

/**
 * The generated permission suite, against the policy table itself (no database): every case of
 * every kind runs over its rows held in memory and must come to what the independent oracle
 * (oracle*.ts, from docs/permissions.md) says:
 *   gates        every operation and ruled field x viewer x relation: the guard's `authorize`
 *   lists        every list, nested list, count, feed and error detail x viewer x relation x object:
 *                the rules on the way and the list's scope (scopes.ts)
 *   effects      every input with another operation's effect: `authorize` and `effectsAllow`
 *   capabilities every viewerCan flag: the capability functions (capabilities.ts)
 */
const MIN_CASES = 200_000;
const OPEN_TO_ANYONE = ['Query.viewer', 'Mutation.createWorkspace', ...ALWAYS_ALLOWED];

let rules: Map<string, RuleName>;
const counts: Partial<Record<Kind, number>> = {};
const seconds: Partial<Record<Kind, number>> = {};

beforeAll(async () => {
  ({ rules } = await fieldRules());
});

afterAll(() => {
  const total = KINDS.reduce((n, k) => n + (counts[k] ?? 0), 0);
  console.log(
    `generated permission cases against the table: ${total}\n` +
      KINDS.map((k) => `  ${k}: ${counts[k] ?? 'not run'}${seconds[k] !== undefined ? ` in ${seconds[k]!.toFixed(1)} s` : ''}`).join('\n'),
  );
});

it('has a generator for every operation and ruled field of the schema, and none for fields that are gone', async () => {
  const ruled = [...rules.keys()];
  const covered = new Set([...Object.keys(OPERATIONS), ...LIST_FIELDS]);
  expect(ruled.filter((f) => !covered.has(f)).sort()).toEqual([]);
  expect(Object.keys(OPERATIONS).filter((op) => !rules.has(op)).sort()).toEqual([]);
  for (const field of await rootFields()) expect(ruled).toContain(field);
});

describe.each(KINDS)('%s cases', (kind) => {
  it('are decided by the table as the oracle decides them, and each operation, list or flag has answers both ways', async () => {
    const started = Date.now();
    const mismatches: string[] = [];
    const answers = new Map<string, Set<string>>();
    let n = 0;
    for (const c of checksOf(kind)) {
      n++;
      const got = await tableAnswer(c, rules);
      const want = c.expected();
      if (!want.table.includes(got)) mismatches.push(`${c.describe()}: table ${got}, oracle ${want.table.join(' or ')}`);
      // Gates: among signed-in viewers; the other kinds: among viewers who joined (others see nothing of the workspace).
      if (kind === 'gate' ? c.viewer !== null || OPEN_TO_ANYONE.includes(c.key) : c.viewer?.status === 'JOINED') {
        const seen = answers.get(c.key) ?? answers.set(c.key, new Set()).get(c.key)!;
        seen.add(kind === 'gate' ? (want.api[0] === 'allow' ? 'allowed' : 'refused') : want.api[0]);
        if (kind === 'gate' && want.table[0] === 'NOT_FOUND') seen.add('hidden');
      }
    }
    counts[kind] = n;
    seconds[kind] = (Date.now() - started) / 1000;
    if (mismatches.length) console.log(`${kind}: ${mismatches.length} mismatches of ${n}; the first:\n  ${mismatches.slice(0, 40).join('\n  ')}`);
    expect(mismatches.slice(0, 40)).toEqual([]);

    // The suite has teeth only if each key is tried both ways; and every operation but those open to anyone on hidden objects.
    const lopsided = [...answers]
      .filter(([key]) => !ALWAYS_ALLOWED.includes(key))
      .filter(([key, seen]) => seen.size < 2 || (kind === 'gate' && !OPEN_TO_ANYONE.includes(key) && !seen.has('hidden')))
      .map(([key, seen]) => `${key}: only ${[...seen].join()}`);
    expect(lopsided).toEqual([]);
  }, 300_000);
});

it(`generates at least ${MIN_CASES.toLocaleString('en')} cases in all`, () => {
  // Counted without running them (the runs above may be filtered out with -t).
  let total = 0;
  for (const kind of KINDS) for (const _c of checksOf(kind)) total++;
  expect(total).toBeGreaterThanOrEqual(MIN_CASES);
});

/**
 * The gates have teeth: each of these plausible slips in a rule makes cases fail (the rule is
 * swapped in memory for one run of its operations' cases, then put back). Scopes and effects
 * are flipped in planted-bugs.test.ts.
 */
const SLIPS: Array<[string, RuleName, (original: (...a: any[]) => any) => (a: any, t: any, args: any) => any]> = [
  ['REVIEWERs may create issues', 'createIssue', (o) => (a, t, args) => (t.resource.viewerRole === 'REVIEWER' ? true : o(a, t, args))],
  ['WORKFORCE_MANAGERs remove MEMBERs', 'removeUser', (o) => (a, t, args) => (a.role === 'WORKFORCE_MANAGER' && t.person.role === 'MEMBER' ? true : o(a, t, args))],
  ['a TEAM_MANAGER gives ADMIN', 'assignUser', (o) => (a, t, args) => o(a, t, { ...args, input: { ...args.input, role: 'USER' } })],
  ["every non-TASKER sees a resource's members", 'seeResourceMembers', () => (a) => a.role !== 'TASKER'],
  ['any WORKFORCE_MANAGER sees managers', 'seeGroupManagers', (o) => (a, t, args) => a.role === 'WORKFORCE_MANAGER' || o(a, t, args)],
  ["ADMINs revoke anyone's key", 'revokeApiKey', (o) => (a, t, args) => a.role === 'ADMIN' || o(a, t, args)],
  ["a WORKFORCE_MANAGER reports anyone's job", 'updateJob', (o) => (a, t, args) => a.role === 'WORKFORCE_MANAGER' || o(a, t, args)],
  ['hidden objects answer FORBIDDEN', 'updateGroup', (o) => (a, t, args) => (o(a, t, args) === 'hidden' ? false : o(a, t, args))],
  ['an ADMIN demotes another ADMIN', 'changeUserRole', (o) => (a, t, args) => (a.role === 'ADMIN' ? true : o(a, t, args))],
  ['a manager adds themselves as a member', 'addGroupMembers', (o) => (a, t, args) => (t.group.viewerIsManager && a.role !== 'TASKER' ? true : o(a, t, args))],
  ['a TASKER acts on other people', 'assignUser', (o) => (a, t, args) => (a.role === 'TASKER' ? o({ ...a, role: 'MEMBER' }, t, args) : o(a, t, args))],
];

it.each(SLIPS)('catches a policy where %s', async (_what, rule, slip) => {
  const target = policy[rule] as { allow: (...a: any[]) => any };
  const original = target.allow;
  target.allow = slip(original);
  let caught = 0;
  try {
    for (const c of checksOf('gate')) {
      if (rules.get(c.key) !== rule) continue;
      if (!c.expected().table.includes(await tableAnswer(c, rules))) caught++;
    }
  } finally {
    target.allow = original;
  }
  expect(caught).toBeGreaterThan(0);
});
