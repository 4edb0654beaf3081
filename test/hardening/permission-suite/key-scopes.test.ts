import type { RuleName } from '../../../src/authorization/policy';
import { checksOf } from './all-checks';
import { fieldRules } from './field-rules';
import { KEY_SCOPES, keyScopeAllows, type KeyScope } from './oracle-keys';
import { pureContext } from './pure-context';
import { Ids } from './world';

/**
 * The key-scope dimension of the generated gates: every gate case of a viewer who has JOINED the
 * workspace, tried again with an API key of theirs in it of each scope, against the policy table
 * (no database). The oracle: the scope's table (oracle-keys.ts) lets the operation through, and
 * then the answer is the one the person gets; or it does not, and the answer is FORBIDDEN
 * whatever the objects named (a key's scope tells nothing of them).
 */
let rules: Map<string, RuleName>;
beforeAll(async () => {
  ({ rules } = await fieldRules());
});

it('gives each gate case under each key scope the answer the oracle gives', async () => {
  const mismatches: string[] = [];
  const answers = new Map<KeyScope, Set<string>>(KEY_SCOPES.map((s) => [s, new Set()]));
  let n = 0;
  for (const c of checksOf('gate')) {
    if (c.viewer?.status !== 'JOINED') continue;
    for (const scope of KEY_SCOPES) {
      n++;
      const world = c.build();
      const ids = new Ids(world, `k${c.n}`);
      const ctx = pureContext(world, ids, c.viewerKey);
      ctx.viewer = { ...ctx.viewer!, apiKey: { id: ids.id('key'), workspaceId: ids.id('A'), scopes: [scope] } };
      const got = await c.table(ctx, ids, rules);
      const allowed = keyScopeAllows(scope, c.key);
      const want = allowed ? c.expected().table : ['FORBIDDEN'];
      if (!want.includes(got)) mismatches.push(`${scope} key, ${c.describe()}: table ${got}, oracle ${want.join(' or ')}`);
      answers.get(scope)!.add(allowed ? (got === 'allow' ? 'allowed' : 'refused by the person') : 'refused by the scope');
    }
  }
  if (mismatches.length) console.log(`${mismatches.length} mismatches of ${n}; the first:\n  ${mismatches.slice(0, 40).join('\n  ')}`);
  expect(mismatches.slice(0, 40)).toEqual([]);
  expect(n).toBeGreaterThan(10_000);
  // Teeth: READ and JOBS keys are refused by their scope somewhere, and every scope lets something through.
  expect(Object.fromEntries([...answers].map(([s, seen]) => [s, [...seen].sort()]))).toEqual({
    READ: ['allowed', 'refused by the person', 'refused by the scope'],
    JOBS: ['allowed', 'refused by the person', 'refused by the scope'],
    FULL: ['allowed', 'refused by the person', 'refused by the scope'],
  });
}, 300_000);
