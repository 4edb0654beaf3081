import type { Condition } from '../../../src/authorization/conditions';
import { effects } from '../../../src/authorization/effects';
import type { RuleName } from '../../../src/authorization/policy';
import { scopes, type ScopeName } from '../../../src/authorization/scopes';
import { checksOf } from './all-checks';
import type { Kind } from './checks';
import { fieldRules } from './field-rules';
import { tableAnswer } from './run-table';

/**
 * PLANTED BUGS: the suite has teeth for scopes and effects as it has for gates (policy.test.ts,
 * SLIPS). Each scope of src/authorization/scopes.ts is made wrong in a plausible way in turn
 * (one branch of an `any` or `all` dropped, or the whole negated), and each effect of
 * src/authorization/effects.ts is removed in turn; the generated cases must then disagree with
 * the oracle at least once. The objects are plain and mutable: each flip is undone in `finally`.
 */

let rules: Map<string, RuleName>;
beforeAll(async () => {
  ({ rules } = await fieldRules());
});

/** The first case (in these kinds, in order) on which the table and the oracle disagree, or null. */
async function firstCatch(kinds: Kind[]): Promise<string | null> {
  for (const kind of kinds) {
    for (const c of checksOf(kind)) {
      const got = await tableAnswer(c, rules);
      const want = c.expected().table;
      if (!want.includes(got)) return `${c.describe()}: table ${got}, oracle ${want.join(' or ')}`;
    }
  }
  return null;
}


/** What caught each planted bug, printed once at the end. */
const report: string[] = [];
afterAll(() => console.log(`planted bugs caught: ${report.length}\n  ${report.join('\n  ')}`));

// ---- Scopes ------------------------------------------------------------------------------------

type Cond = Condition<any>;
/** The condition with the first branch matching `which` dropped from the `any`/`all` that holds it (deepest search, first found). */
function dropBranch(c: Cond, which: (x: Cond) => boolean): Cond | null {
  if (c.is === 'any' || c.is === 'all') {
    const i = c.of.findIndex(which);
    if (i >= 0 && c.of.length > 1) return { ...c, of: c.of.filter((_x, j) => j !== i) } as Cond;
    for (let j = 0; j < c.of.length; j++) {
      const inner = dropBranch(c.of[j], which);
      if (inner) return { ...c, of: c.of.map((x, k) => (k === j ? inner : x)) } as Cond;
    }
  }
  if (c.is === 'not') {
    const inner = dropBranch(c.of, which);
    return inner ? ({ is: 'not', of: inner } as Cond) : null;
  }
  return null;
}
const roleIs = (...roles: string[]) => (x: Cond) => x.is === 'role' && roles.every((r) => x.roles.includes(r as any)) && x.roles.length === roles.length;
const notTasker = roleIs('ADMIN', 'MEMBER', 'WORKFORCE_MANAGER');

/** Per scope, the plausible slips: [what, how the condition is changed]. Negating the whole is tried for every scope as well. */
const SCOPE_SLIPS: Record<ScopeName, Array<[string, (c: Cond) => Cond | null]>> = {
  person: [
    ['a TASKER does not see themselves', (c) => dropBranch(c, (x) => x.is === 'viewer')],
    ['no one sees anyone but themselves', (c) => dropBranch(c, notTasker)],
  ],
  resource: [
    ['only workspace ADMINs see resources', (c) => dropBranch(c, (x) => x.is === 'atLeast')],
    ['a workspace ADMIN sees only resources they hold a role on', (c) => dropBranch(c, roleIs('ADMIN'))],
  ],
  resourceMembers: [
    ["a TASKER who is a resource's ADMIN sees its members", (c) => dropBranch(c, notTasker)],
    ["a project's TEAM_MANAGERs do not see its members", (c) => dropBranch(c, (x) => x.is === 'all' && x.of.some((y) => y.is === 'type'))],
    ["a workspace ADMIN sees no resource's members but their own", (c) => dropBranch(c, roleIs('ADMIN'))],
  ],
  group: [
    ['members do not see their groups', (c) => dropBranch(c, (x) => x.is === 'member')],
    ['managers do not see the groups they manage', (c) => dropBranch(c, (x) => x.is === 'manager')],
  ],
  groupMembers: [["a TASKER sees their group's members", (c) => dropBranch(c, notTasker)]],
  groupManagers: [
    ['the WORKFORCE_MANAGER who made a group does not see its managers', (c) => dropBranch(c, (x) => x.is === 'all' && x.of.some((y) => y.is === 'viewer'))],
    ['a TASKER who manages a group sees its managers', (c) => dropBranch(c, notTasker)],
  ],
  job: [
    ['no one sees the jobs they started', (c) => dropBranch(c, (x) => x.is === 'viewer')],
    ["ADMINs see only the jobs they started", (c) => dropBranch(c, roleIs('ADMIN'))],
  ],
  apiKey: [],
};

const scopeFlips = (Object.keys(scopes) as ScopeName[]).flatMap((name) => [
  ...(SCOPE_SLIPS[name] ?? []).map(([what, how]) => [name, what, how] as const),
  [name, 'negated', (c: Cond) => ({ is: 'not', of: c }) as Cond] as const,
]);

it.each(scopeFlips)('catches the scope %s made wrong: %s', async (name, _what, how) => {
  const scope = scopes[name] as { condition: Cond };
  const original = scope.condition;
  const flipped = how(original);
  expect(flipped).not.toBeNull(); // the slip must apply to the scope as it is written
  let caught: string | null;
  scope.condition = flipped!;
  try {
    caught = await firstCatch(['list', 'capability', 'effect', 'gate']);
  } finally {
    scope.condition = original;
  }
  expect(caught).not.toBeNull();
  report.push(`scope ${name} (${_what}) caught by ${caught}`);
}, 120_000);

// ---- Effects -----------------------------------------------------------------------------------

const effectFlips = Object.entries(effects).flatMap(([rule, list]) => (list ?? []).map((e, i) => [rule as RuleName, `${e.input} -> ${e.rule}`, i] as const));

it('declares the effects docs/permissions.md lists (so that each is flipped below)', () => {
  expect(effectFlips.map(([rule, what]) => `${rule}: ${what}`).sort()).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^createGroup: memberIds -> addGroupMembers$/),
      expect.stringMatching(/^createGroup: managerIds -> /),
      expect.stringMatching(/^updateGroup: memberIds -> addGroupMembers$/),
      expect.stringMatching(/^updateGroup: memberIds -> removeGroupMembers$/),
      expect.stringMatching(/^updateGroup: managerIds -> /),
      expect.stringMatching(/^removeUser: replacementUserId -> assignUser$/),
      expect.stringMatching(/^retryJob: .* -> startJob$/),
    ]),
  );
});

it.each(effectFlips)('catches the effects of %s without %s', async (rule, _what, index) => {
  const table = effects as Record<string, unknown[] | undefined>;
  const original = table[rule]!;
  table[rule] = original.filter((_e, i) => i !== index);
  let caught: string | null;
  try {
    caught = await firstCatch(['effect', 'capability', 'gate', 'list']);
  } finally {
    table[rule] = original;
  }
  expect(caught).not.toBeNull();
  report.push(`effect ${rule} ${_what} caught by ${caught}`);
}, 120_000);
