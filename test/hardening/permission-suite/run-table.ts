import type { RuleName } from '../../../src/authorization/policy';
import type { Check } from './checks';
import { pureContext } from './pure-context';
import { Ids } from './world';

/** The table's answer on one case, over its rows in memory (no database). */
export async function tableAnswer(c: Check, rules: Map<string, RuleName>): Promise<string> {
  const world = c.build();
  const ids = new Ids(world, `p${c.kind[0]}${c.n}`);
  return c.table(pureContext(world, ids, c.viewerKey), ids, rules);
}
