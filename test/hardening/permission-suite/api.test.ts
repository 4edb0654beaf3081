import 'reflect-metadata';
import { mintToken } from '../../../src/dev-token';
import { eventCursor } from '../../../src/events/job-event-log';
import { startTestServer, TEST_SECRET, type TestServer } from '../../support/harness';
import { checksOf } from './all-checks';
import { KINDS, type ApiCall, type Check, type Kind } from './checks';
import { ALWAYS_ALLOWED } from './operations';
import { Ids, Rows } from './world';

/**
 * The generated permission suite through the real GraphQL API: a sample of the generated cases
 * of every kind (PERMISSION_API_SAMPLE, default 1500; seed PERMISSION_SEED), each with rows of
 * its own written in bulk with SQL, each sent over HTTP (subscriptions over the WebSocket) as the
 * case's viewer:
 *   gates        the operation's answer (allowed, or the error's code)
 *   lists        whether the object comes back in the list (and totalCount counts what is listed)
 *   effects      the mutation's answer
 *   capabilities the `viewerCan` flag read on the object
 * The answer must be the oracle's; every refused call (and every read) must write nothing.
 */
const SAMPLE = Number(process.env.PERMISSION_API_SAMPLE ?? 1500);
const SEED = Number(process.env.PERMISSION_SEED ?? 7);
const CONCURRENCY = 12;
/** How the random part of the sample is shared out among the kinds. */
const SHARE: Record<Kind, number> = { gate: 0.33, list: 0.37, effect: 0.17, capability: 0.13 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', RATE_LIMIT_ANONYMOUS_POINTS: '0' });
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

/** A WebSocket without a token is refused at connection_init (4401), before any operation: no case of a rule. */
const usable = (c: Check, call: ApiCall) => !(call.ws && c.viewerKey === null);

/**
 * Every kind's every key's every answer at least once (by JOINED viewers first: theirs are the
 * interesting ones), then random cases of signed-in viewers, three in four of them JOINED,
 * each kind its share. Two passes over the generators: the first picks indices, the second
 * keeps the cases picked (the cases are not all held at once).
 */
function pickSample(size: number): Check[] {
  const rand = random(SEED);
  const picked = new Map<Kind, Set<number>>(KINDS.map((k) => [k, new Set()]));
  const pools = new Map<Kind, { joined: number[]; signedIn: number[] }>();
  for (const kind of KINDS) {
    const byAnswer = new Map<string, { joined: number[]; any: number[] }>();
    const pool = { joined: [] as number[], signedIn: [] as number[] };
    let i = 0;
    for (const c of checksOf(kind)) {
      const index = i++;
      if (c.viewerKey === null && (c.key.startsWith('Subscription.') || c.kind !== 'gate')) continue;
      const group = `${c.key}|${c.expected().api[0]}`;
      const g = byAnswer.get(group) ?? byAnswer.set(group, { joined: [], any: [] }).get(group)!;
      (c.viewer?.status === 'JOINED' ? g.joined : g.any).push(index);
      if (c.viewer?.status === 'JOINED') pool.joined.push(index);
      if (c.viewerKey !== null) pool.signedIn.push(index);
    }
    for (const g of byAnswer.values()) {
      const from = g.joined.length > 0 ? g.joined : g.any;
      picked.get(kind)!.add(from[Math.floor(rand() * from.length)]);
    }
    pools.set(kind, pool);
  }
  const covered = KINDS.reduce((n, k) => n + picked.get(k)!.size, 0);
  const rest = Math.max(0, size - covered);
  const shares = KINDS.map((k) => Math.floor(SHARE[k] * rest));
  shares[KINDS.indexOf('list')] += rest - shares.reduce((a, b) => a + b, 0);
  for (const kind of KINDS) {
    const want = picked.get(kind)!.size + shares[KINDS.indexOf(kind)];
    const { joined, signedIn } = pools.get(kind)!;
    while (picked.get(kind)!.size < Math.min(want, signedIn.length)) {
      const pool = rand() < 0.75 ? joined : signedIn;
      picked.get(kind)!.add(pool[Math.floor(rand() * pool.length)]);
    }
  }
  const out: Check[] = [];
  for (const kind of KINDS) {
    const wanted = picked.get(kind)!;
    let i = 0;
    for (const c of checksOf(kind)) if (wanted.has(i++)) out.push(c);
  }
  return out;
}

interface Prepared {
  c: Check;
  expected: { api: string[]; writes: boolean };
  call: ApiCall;
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

async function observe(p: Prepared): Promise<string> {
  if (p.call.ws) return observeSubscription(p);
  const res = await server.gql(p.call.query, p.call.variables, p.token);
  return p.call.read(res);
}

/**
 * A subscription from the start of the workspace's feed: the events received until the
 * sentinel's (the viewer's own job, always delivered), or the first one when there is none.
 */
function observeSubscription(p: Prepared): Promise<string> {
  const client = server.ws(p.token);
  const variables = { ...p.call.variables, after: eventCursor({ workspaceId: p.workspaceId, seq: 0 }) };
  const events: any[] = [];
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => finish('TIMEOUT'), 10_000);
    let unsubscribe = () => {};
    let done = false;
    const finish = (outcome: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      void client.dispose();
      resolve(outcome);
    };
    unsubscribe = client.subscribe(
      { query: p.call.query, variables },
      {
        next: (msg: any) => {
          if (msg.errors?.length) return finish(p.call.read({ errors: msg.errors }));
          events.push(msg.data?.jobEvents);
          if (!p.call.sentinel || msg.data?.jobEvents?.job?.id === p.call.sentinel) finish(p.call.read({ data: msg.data, events }));
        },
        error: (err: any) => {
          const errors = Array.isArray(err) ? err : [err];
          finish(errors.some((e) => e?.extensions?.code) ? p.call.read({ errors }) : `socket error ${err?.code ?? err}`);
        },
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
      if (!p.expected.api.includes(got[j])) mismatches.push(`${p.c.describe()}: API ${got[j]}, oracle ${p.expected.api.join(' or ')}`);
    });
  }
  return mismatches;
}

it(`answers a sample of ${SAMPLE} generated cases of every kind through the API as the oracle says, and writes nothing when it refuses`, async () => {
  const started = Date.now();
  const sample = pickSample(SAMPLE);
  const rows = new Rows();
  const prepared: Prepared[] = [];
  for (const c of sample) {
    const world = c.build();
    const ids = new Ids(world, `${c.kind[0]}${c.n}`);
    const call = c.call(ids);
    if (!usable(c, call)) continue;
    rows.add(world, ids, { jobEvents: true });
    const email = c.viewerKey ? ids.email(c.viewerKey) : null;
    prepared.push({
      c,
      expected: c.expected(),
      call,
      token: email ? await mintToken(TEST_SECRET, { sub: `test|${email}`, email }) : undefined,
      workspaceId: ids.id('A'),
    });
  }
  await rows.insert(server.db);
  const setupSeconds = (Date.now() - started) / 1000;
  expect(prepared.length).toBeGreaterThanOrEqual(SAMPLE);

  // Every key of every kind is in the sample, both ways (allowed and refused, in and out, true and false), but those always allowed.
  const keys = new Set(prepared.filter((p) => !ALWAYS_ALLOWED.includes(p.c.key)).map((p) => `${p.c.kind} ${p.c.key}`));
  const lopsided = [...keys].filter((key) => {
    const answers = new Set(prepared.filter((p) => `${p.c.kind} ${p.c.key}` === key).map((p) => p.expected.api[0]));
    return answers.size < 2;
  });
  expect(lopsided).toEqual([]);

  // Refusals and reads first, with row counts of every table before and after: not one row written.
  const quiet = prepared.filter((p) => !p.expected.writes);
  const before = await countAll();
  const quietMismatches = await runAll(quiet);
  const after = await countAll();
  const allowedMismatches = await runAll(prepared.filter((p) => p.expected.writes));

  const byKind: Record<string, number> = {};
  for (const p of prepared) byKind[p.c.kind] = (byKind[p.c.kind] ?? 0) + 1;
  const mismatches = [...quietMismatches, ...allowedMismatches];
  console.log(
    `permission suite through the API: ${prepared.length} cases (seed ${SEED}) ${JSON.stringify(byKind)} over ${new Set(prepared.map((p) => p.c.key)).size} operations, lists and flags; ` +
      `rows set up in ${setupSeconds.toFixed(1)} s, all in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (mismatches.length ? `\n${mismatches.length} mismatches; by kind ${JSON.stringify(countBy(mismatches, (m) => m.split(' ')[0]))}; the first:\n  ${mismatches.slice(0, 60).join('\n  ')}` : ''),
  );
  expect(after).toEqual(before);
  expect(mismatches.slice(0, 60)).toEqual([]);
}, 300_000);

function countBy<T>(list: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of list) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}
