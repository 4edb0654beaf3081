import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { addMember, createWorkspace, signIn, type Role, type Status } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { readView, run, taskerAsksForPeople } from './property/api';
import { brokenInvariants, expectedAfter, expectedView, nameKey, predict, type Code, type Verdict } from './property/model';
import { plain, readState, type State } from './property/state';
import { describe as describeStep, KINDS, OPENINGS, resolve, stepArb, type Kind, type PoolPerson, type Resolved, type Step } from './property/steps';

/**
 * Property: long random sequences of operations by random actors, through the API: resource,
 * role and group mutations, invitations and their answers, role changes, removals (with and
 * without replacement), jobs and API keys, with people in every status. Before each step the
 * model (property/model.ts, written from docs/permissions.md and the product decisions of
 * issue 13, recomputed from the raw tables) predicts its answer; after it, from the tables again:
 *   - the answer is the predicted one (done, or the error code, with its details);
 *   - a refused step changed nothing, a done one changed what it says and nothing else;
 *   - the invariants hold (a resource keeps a live direct ADMIN, managers are internal and not
 *     TASKERs, the workspace keeps a JOINED ADMIN, REMOVED people hold nothing);
 *   - one viewer (each in turn; all at the end of a sequence) sees exactly what the rules give:
 *     resources with their effective roles, members (or null where refused) and totalCount,
 *     groups with members and managers or null where refused, people without REMOVED ones
 *     (and the REMOVED ones by filter), one person by id, and jobs with their starters.
 *
 * Environment:
 *   PROPERTY_STEPS            steps in all (default 200; the README's long run: 10000)
 *   PROPERTY_SEQUENCE_LENGTH  steps per sequence, each in a fresh workspace (default 50); a
 *                             sequence may open with a few set steps (steps.ts, OPENINGS)
 *   PROPERTY_SEED, PROPERTY_PATH  replay what a failure printed (fast-check's seed and path)
 *   PROPERTY_SHRINK=1         shrink a failing sequence (slow) instead of stopping at once
 *   PROPERTY_VERBOSE=1        print every step with its answer
 *   PROPERTY_KEEP_GOING=1     do not stop at the first problem: run every step, then fail with
 *                             each kind of problem met, how often, and its first example
 *   PROPERTY_COVERAGE=1       also print how often each rule of the model decided a step
 *   TEST_DATABASE_URL         PostgreSQL instead of embedded PGlite
 */
const STEPS = Number(process.env.PROPERTY_STEPS ?? 200);
const LENGTH = Number(process.env.PROPERTY_SEQUENCE_LENGTH ?? 50);
const SEQUENCES = Math.max(1, Math.ceil(STEPS / LENGTH));
const SHRINK = process.env.PROPERTY_SHRINK === '1';
const VERBOSE = process.env.PROPERTY_VERBOSE === '1';
const SEED = process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED);
const PATH = process.env.PROPERTY_PATH;
const KEEP_GOING = process.env.PROPERTY_KEEP_GOING === '1';
const COVERAGE = process.env.PROPERTY_COVERAGE === '1';

let server: TestServer;
beforeAll(async () => {
  // The view reads the whole state in one query (every resource's members, every group's people): past the default cost limit.
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '100000000' });
});
afterAll(() => server?.close());

/** The pool of each sequence: p0 makes the workspace (ADMIN); the others start so. Domain acme.test is internal. */
const POOL: Array<[Role | null, Status | null, string]> = [
  ['ADMIN', 'JOINED', 'acme.test'], // p1: a second ADMIN
  ['MEMBER', 'JOINED', 'acme.test'], // p2
  ['MEMBER', 'JOINED', 'partner.test'], // p3: external
  ['WORKFORCE_MANAGER', 'JOINED', 'acme.test'], // p4
  ['TASKER', 'JOINED', 'acme.test'], // p5
  ['TASKER', 'JOINED', 'partner.test'], // p6
  ['MEMBER', 'INVITED', 'acme.test'], // p7
  ['WORKFORCE_MANAGER', 'INVITED', 'acme.test'], // p8
  ['TASKER', 'DECLINED', 'acme.test'], // p9
  [null, null, 'acme.test'], // p10: not in the workspace (yet)
  [null, null, 'partner.test'], // p11: likewise
];

async function newWorkspace(): Promise<{ workspaceId: string; pool: PoolPerson[] }> {
  const tag = randomUUID().slice(0, 8);
  const { workspaceId, admin } = await createWorkspace(server, 'Property', `p0-${tag}@acme.test`);
  const pool: PoolPerson[] = [{ ...admin, label: 'p0' }];
  for (const [i, [role, status, domain]] of POOL.entries()) {
    const email = `p${i + 1}-${tag}@${domain}`;
    const person = role && status ? await addMember(server, workspaceId, role, status, email) : await signIn(server, email);
    pool.push({ ...person, label: `p${i + 1}` });
  }
  return { workspaceId, pool };
}

const outcomeOf = (res: GqlResult): string => (res.errors ? String(res.errors[0]?.extensions?.code ?? 'NO_CODE') : res.data ? 'ok' : 'NO_DATA');

/** Differences between two values, in jest's words (empty when equal). */
function differences(actual: unknown, expected: unknown): string {
  try {
    expect(actual).toEqual(expected);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Something that broke: `category` groups alike ones (PROPERTY_KEEP_GOING counts them), `detail` shows this one. */
interface Problem {
  category: string;
  detail: string;
}

/** The details an error carries beside its code: extensions.field, groups, resources, hiddenCount. */
function checkDetails(s: State, kind: Kind, v: Verdict, res: GqlResult, actual: string): Problem[] {
  if (actual !== v.code) return [];
  const ext = res.errors?.[0]?.extensions ?? {};
  const problems: Problem[] = [];
  const problem = (what: string, detail: string) => problems.push({ category: `${kind} ${v.code}: ${what}`, detail });
  if (v.field && ext.field !== v.field) problem('extensions.field', `extensions.field is ${ext.field}, expected ${v.field} (${v.why})`);
  if (v.groups) {
    const named = (ext.groups ?? []).map((g: { id: string }) => g.id).sort();
    if (differences(named, [...v.groups].sort())) problem('extensions.groups', `extensions.groups names ${JSON.stringify(named)}, expected ${JSON.stringify(v.groups)}`);
  }
  if (v.resources) {
    // D3: "[{type,id,name}]" of the resources the caller sees.
    const named = (ext.resources ?? []).map((r: { type: string; id: string; name: string }) => `${r.type} ${r.id} ${r.name}`).sort();
    const expected = v.resources.map((id) => `${s.resources.get(id)?.type} ${id} ${s.resources.get(id)?.name}`).sort();
    if (differences(named, expected)) problem('extensions.resources', `extensions.resources names ${JSON.stringify(named)}, expected ${JSON.stringify(expected)} (those the caller sees)`);
    if (ext.hiddenCount !== v.hiddenCount) problem('extensions.hiddenCount', `extensions.hiddenCount is ${ext.hiddenCount}, expected ${v.hiddenCount}`);
  }
  return problems;
}

/** What one viewer sees, against what the rules give them. */
async function checkViewer(s: State, workspaceId: string, viewer: PoolPerson, one: string): Promise<Problem[]> {
  const membership = s.people.get(viewer.id);
  const isJoined = membership?.status === 'JOINED';
  const who = isJoined ? membership.role : (membership?.status ?? 'outsider');
  const problems: Problem[] = [];
  const problem = (what: string, detail: string) => problems.push({ category: `view of a ${who}: ${what}`, detail: `${viewer.label}'s view: ${detail}` });
  const withCancelledBy = [...s.jobs.values()].some((j) => 'cancelledBy' in j);
  const read = await readView(server, workspaceId, viewer.token, isJoined ? membership.role : null, one, withCancelledBy);
  for (const p of read.problems) problem(p.split(':')[0].replace(/[0-9a-f-]{36}/g, 'ID').replace(/\.\d+\./g, '.N.'), p);
  if (!isJoined) {
    // "A workspace the viewer has not joined does not exist for them (workspace(id) is null)."
    if (read.view !== null || read.raw.errors) problem('workspace not null', `the workspace is not null to a person ${who}: ${JSON.stringify(read.raw.errors ?? read.raw.data)}`);
  } else if (read.view === null) {
    const errors = (read.raw.errors ?? []).map((e) => `${e.extensions?.code} at ${(e.path ?? []).join('.').replace(/\.\d+\./g, '.N.')}`);
    problem(`workspace null (${[...new Set(errors)].join(', ')})`, `the workspace is null: ${JSON.stringify(read.raw.errors)}`);
  } else {
    const expected = expectedView(s, viewer.id, one);
    for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
      const diff = differences(read.view[key], expected[key]);
      if (diff) problem(key, `${key}: ${diff}`);
    }
    if (membership.role === 'TASKER') {
      const refused = await taskerAsksForPeople(server, workspaceId, viewer.token);
      if (refused) problem('users', refused);
    }
  }
  return problems;
}

/** The tables a step left, against the ones it should leave: by table. */
function checkTables(kind: Kind, actual: string, after: State, expected: State): Problem[] {
  const a = plain(after, nameKey);
  const e = plain(expected, nameKey);
  const what = actual === 'ok' ? `${kind} done` : `${kind} refused (${actual}), so nothing should change`;
  return Object.keys(e)
    .map((table) => [table, differences(a[table], e[table])])
    .filter(([, diff]) => diff)
    .map(([table, diff]) => ({ category: `${what}: table ${table}`, detail: `${what}, but ${table} differs:\n${diff}` }));
}

let stepsRun = 0;
let sequencesRun = 0;
const outcomes = new Map<Kind, Map<string, number>>();
const count = (kind: Kind, outcome: string) => {
  const m = outcomes.get(kind) ?? outcomes.set(kind, new Map()).get(kind)!;
  m.set(outcome, (m.get(outcome) ?? 0) + 1);
};
/** PROPERTY_COVERAGE: how often each rule of the model decided a step. */
const rulesMet = new Map<string, number>();
/** PROPERTY_KEEP_GOING: every kind of problem met, how often, and its first example. */
const seenProblems = new Map<string, { n: number; example: string }>();

/** Runs one sequence (its opening's set steps, then random ones); throws with the sequence so far and what broke. */
async function runSequence(opening: number, random: Step[]): Promise<void> {
  const sequence = ++sequencesRun;
  const set = OPENINGS[opening].steps;
  const steps = [...set, ...random.slice(set.length).map((step) => (s: State, people: PoolPerson[]) => resolve(s, people, step))];
  const { workspaceId, pool } = await newWorkspace();
  const byEmail = new Map(pool.map((p) => [p.email.toLowerCase(), p.id]));
  const idOfEmail = (email: string) => byEmail.get(email.toLowerCase())!;
  const log: string[] = [];
  const report = (i: number, problems: Problem[]) => {
    if (problems.length === 0) return;
    const text =
      `sequence ${sequence}, step #${i} of ${steps.length} broke:\n  ${problems.map((p) => p.detail).join('\n  ')}\n` +
      `steps so far (people as [role/status] before each step; ${pool.map((p) => `${p.label}=${p.id}`).join(' ')}):\n    ${log.join('\n    ')}`;
    if (!KEEP_GOING) throw new Error(text);
    for (const p of problems) {
      const seen = seenProblems.get(p.category);
      if (seen) seen.n++;
      else seenProblems.set(p.category, { n: 1, example: text.split('\n').slice(0, 60).join('\n') });
    }
  };
  let state = await readState(server, workspaceId);
  for (const [i, build] of steps.entries()) {
    const r: Resolved = build(state, pool);
    log.push(`#${i} ${describeStep(state, pool, r)}${i < set.length ? ` (opening: ${OPENINGS[opening].name})` : ''}`);
    const verdict = predict(state, r, idOfEmail);
    const res = await run(server, workspaceId, r);
    const actual = outcomeOf(res);
    log[i] += ` -> ${actual}`;
    if (VERBOSE) console.log(`[${sequence}] ${log[i]} (model: ${verdict.code}${verdict.also ? `/${verdict.also.join('/')}` : ''})`);
    count(r.kind, actual);
    if (actual !== verdict.code && !verdict.also?.includes(actual as Code)) {
      report(i, [
        {
          category: `${r.kind}: expected ${verdict.code} (${verdict.why}), got ${actual}`,
          detail: `expected ${verdict.code}${verdict.also ? ` (or ${verdict.also.join(', ')})` : ''}: ${verdict.why}\n  got ${actual}: ${JSON.stringify(res.errors ?? res.data)}`,
        },
      ]);
    }
    report(i, checkDetails(state, r.kind, verdict, res, actual));
    rulesMet.set(`${r.kind} ${actual}: ${verdict.why}`, (rulesMet.get(`${r.kind} ${actual}: ${verdict.why}`) ?? 0) + 1);

    const after = await readState(server, workspaceId);
    report(i, checkTables(r.kind, actual, after, actual === 'ok' ? expectedAfter(state, r, after, idOfEmail) : state));
    report(i, brokenInvariants(after).map(([rule, detail]) => ({ category: `invariant: ${rule}`, detail: `${rule}: ${detail}` })));
    const viewer = pool[(sequence + i) % pool.length];
    report(i, await checkViewer(after, workspaceId, viewer, pool[(i * 7) % pool.length].id));
    state = after;
    stepsRun++;
  }
  for (const [k, viewer] of pool.entries()) report(steps.length, await checkViewer(state, workspaceId, viewer, pool[(k + 1) % pool.length].id));
}

it(`keeps the rules over ${SEQUENCES} random sequences of ${LENGTH} operations (${SEQUENCES * LENGTH} steps)`, async () => {
  const started = Date.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: OPENINGS.length - 1 }), fc.array(stepArb, { minLength: SHRINK ? 1 : LENGTH, maxLength: LENGTH }), runSequence),
      {
        numRuns: SEQUENCES,
        endOnFailure: !SHRINK,
        ...(SEED !== undefined ? { seed: SEED } : {}),
        ...(PATH ? { path: PATH } : {}),
        // The failing sequence as resolved steps, and how to run it again (not fast-check's raw choices).
        reporter: (details) => {
          if (!details.failed) return;
          const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
          throw new Error(`${cause}\nreplay: PROPERTY_SEED=${details.seed} PROPERTY_PATH=${details.counterexamplePath} PROPERTY_SEQUENCE_LENGTH=${LENGTH} (and the same TEST_DATABASE_URL)`);
        },
      },
    );
  } finally {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const db = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    const perOp = (Object.keys(KINDS) as Kind[])
      .filter((k) => outcomes.has(k))
      .map((k) => `${k} ${[...outcomes.get(k)!].sort().map(([o, n]) => `${o}=${n}`).join(' ')}`)
      .join('; ');
    console.log(`access property on ${db}: ${stepsRun} steps, ${sequencesRun} sequences, ${seconds} s | ${perOp}`);
    if (COVERAGE) console.log(`rules met:\n${[...rulesMet].sort().map(([rule, n]) => `  ${String(n).padStart(5)} ${rule}`).join('\n')}`);
  }
  if (seenProblems.size > 0) {
    const kinds = [...seenProblems].sort(([, a], [, b]) => b.n - a.n);
    throw new Error(
      `${kinds.length} kinds of problem over ${stepsRun} steps:\n${kinds.map(([c, { n }]) => `  ${n} x ${c}`).join('\n')}\n\nfirst example of each:\n\n` +
        kinds.map(([c, { example }]) => `== ${c}\n${example}`).join('\n\n'),
    );
  }
  expect(stepsRun).toBe(SHRINK || PATH ? stepsRun : SEQUENCES * LENGTH);
}, Math.max(120_000, STEPS * 400));
