import 'reflect-metadata';
import { mintToken } from '../../../src/dev-token';
import { eventCursor } from '../../../src/events/job-event-log';
import { startTestServer, TEST_SECRET, type TestServer } from '../../support/harness';
import { oracle } from './oracle';
import { describeCase, generateCases, OPERATIONS, type Case, type Invocation } from './operations';
import type { Expectation } from './scenario';
import { Ids, Rows } from './world';

/**
 * The generated permission suite through the real GraphQL API: a sample of the generated
 * cases (every operation, allowed and refused, then random ones; PERMISSION_API_SAMPLE, default
 * 750, seed PERMISSION_SEED), each with rows of its own written in bulk with SQL, each
 * operation sent over HTTP (subscriptions over the WebSocket) as the case's viewer. The answer
 * must be the oracle's; every refused call must write nothing.
 */
const SAMPLE = Number(process.env.PERMISSION_API_SAMPLE ?? 750);
const SEED = Number(process.env.PERMISSION_SEED ?? 7);
const CONCURRENCY = 6;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_OPERATIONS: '0', RATE_LIMIT_ANONYMOUS_OPERATIONS: '0' });
});
afterAll(() => server?.close());

/** A small seeded PRNG (mulberry32): the same sample for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every operation's every outcome at least once (refusals by JOINED viewers first: theirs are
 * the interesting ones), then random cases of signed-in viewers, three in four of them JOINED.
 */
function pickSample(all: Case[], size: number): Case[] {
  const rand = random(SEED);
  // A WebSocket without a token is refused at connection_init (4403), before any operation: no case of a rule.
  const usable = all.filter((c) => !(c.scenario.op.startsWith('Subscription.') && c.viewerKey === null));
  const chosen = new Map<number, Case>();
  const byOp = new Map<string, Case[]>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => (map.get(key) ?? map.set(key, []).get(key)!).push(value);
  for (const c of usable) push(byOp, c.scenario.op, c);
  for (const list of byOp.values()) {
    const outcomes = new Map<string, Case[]>();
    for (const c of list) {
      push(outcomes, oracle(c.scenario).api, c);
    }
    for (const group of outcomes.values()) {
      const joined = group.filter((c) => c.scenario.viewer?.status === 'JOINED');
      const pool = joined.length > 0 ? joined : group;
      const c = pool[Math.floor(rand() * pool.length)];
      chosen.set(c.n, c);
    }
  }
  const joined = usable.filter((c) => c.scenario.viewer?.status === 'JOINED');
  const signedIn = usable.filter((c) => c.viewerKey !== null);
  while (chosen.size < size) {
    const pool = rand() < 0.75 ? joined : signedIn;
    const c = pool[Math.floor(rand() * pool.length)];
    chosen.set(c.n, c);
  }
  return [...chosen.values()];
}

interface Prepared {
  c: Case;
  expected: Expectation;
  call: Invocation;
  token?: string;
  workspaceId: string;
}

async function countAll(): Promise<Record<string, number>> {
  const tables: Array<{ name: string }> = await server.db.query(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const rows: Array<{ name: string; n: number }> = await server.db.query(
    tables.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

/** What the API answered: the first error's code, or what the data says (allowed, or null / not listed). */
async function observe(p: Prepared): Promise<string> {
  if (p.call.ws) return observeSubscription(p);
  const res = await server.gql(p.call.query, p.call.variables, p.token);
  if (res.errors?.length) return res.errors[0].extensions?.code ?? `no code: ${res.errors[0].message}`;
  return p.call.read(res.data);
}

/** A subscription from the start of the workspace's feed: allowed ones replay the viewer's job's event. */
function observeSubscription(p: Prepared): Promise<string> {
  const client = server.ws(p.token);
  const variables = { ...p.call.variables, after: eventCursor({ workspaceId: p.workspaceId, seq: 0 }) };
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => finish('TIMEOUT'), 10_000);
    let unsubscribe = () => {};
    const finish = (outcome: string) => {
      clearTimeout(timer);
      unsubscribe();
      void client.dispose();
      resolve(outcome);
    };
    unsubscribe = client.subscribe(
      { query: p.call.query, variables },
      {
        next: (msg: any) => finish(msg.errors?.length ? (msg.errors[0].extensions?.code ?? 'no code') : msg.data?.jobEvents ? 'allow' : 'NO_DATA'),
        error: (err: any) => finish((Array.isArray(err) ? err[0]?.extensions?.code : err?.extensions?.code) ?? `socket error ${err?.code ?? err}`),
        complete: () => finish('COMPLETED'),
      },
    );
  });
}

async function runAll(list: Prepared[]): Promise<string[]> {
  const mismatches: string[] = [];
  for (let i = 0; i < list.length; i += CONCURRENCY) {
    const chunk = list.slice(i, i + CONCURRENCY);
    const got = await Promise.all(chunk.map(observe));
    chunk.forEach((p, j) => {
      if (got[j] !== p.expected.api) mismatches.push(`${describeCase(p.c)}: API ${got[j]}, oracle ${p.expected.api}`);
    });
  }
  return mismatches;
}

it(`answers a sample of ${SAMPLE} generated cases through the API as the oracle says, and writes nothing when it refuses`, async () => {
  const started = Date.now();
  const sample = pickSample(generateCases(), SAMPLE);
  const rows = new Rows();
  const prepared: Prepared[] = [];
  for (const c of sample) {
    const ids = new Ids(c.world, `c${c.n}`);
    rows.add(c.world, ids, { jobEvents: true });
    const email = c.viewerKey ? ids.email(c.viewerKey) : null;
    prepared.push({
      c,
      expected: oracle(c.scenario),
      call: c.invoke(ids),
      token: email ? await mintToken(TEST_SECRET, { sub: `test|${email}`, email }) : undefined,
      workspaceId: ids.id('A'),
    });
  }
  await rows.insert(server.db);
  const setupSeconds = (Date.now() - started) / 1000;

  // Every operation is in the sample, allowed and refused.
  const lopsided = Object.keys(OPERATIONS).filter((op) => {
    const mine = prepared.filter((p) => p.c.scenario.op === op);
    return !mine.some((p) => p.expected.api === 'allow') || !mine.some((p) => p.expected.api !== 'allow');
  });
  expect(lopsided).toEqual([]);

  // Refusals first, with row counts of every table before and after: not one row written.
  const refused = prepared.filter((p) => p.expected.api !== 'allow');
  const before = await countAll();
  const refusedMismatches = await runAll(refused);
  expect(await countAll()).toEqual(before);
  const allowedMismatches = await runAll(prepared.filter((p) => p.expected.api === 'allow'));

  const byOutcome: Record<string, number> = {};
  for (const p of prepared) byOutcome[p.expected.api] = (byOutcome[p.expected.api] ?? 0) + 1;
  console.log(
    `permission suite through the API: ${prepared.length} cases (seed ${SEED}) over ${new Set(prepared.map((p) => p.c.scenario.op)).size} operations; ` +
      `${JSON.stringify(byOutcome)}; rows set up in ${setupSeconds.toFixed(1)} s, all in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  expect([...refusedMismatches, ...allowedMismatches]).toEqual([]);
}, 300_000);
