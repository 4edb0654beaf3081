import { startTestServer, type TestServer } from '../support/harness';
import { brokenInvariants } from './property/model';
import { callLines, makeBatch, seededRandom, send } from './concurrent/batch';
import { checkAnswers, checkAudit, checkEvents, keysRevokedBy } from './concurrent/checks';
import { checkEffects } from './concurrent/effects';
import type { Theme } from './concurrent/operations';
import { labelIn, newWorld, readAuditAfter, snapshot, type World } from './concurrent/world';

/**
 * Property, under concurrency: random mutations by random actors, sent in parallel batches
 * through the API (PostgreSQL runs their transactions at once), in fresh workspaces whose
 * people hold every role and status. After each batch, from the raw tables:
 *
 *   1. answers: none is INTERNAL_SERVER_ERROR, an HTTP 5xx or a broken response (a deadlock
 *      that PostgreSQL broke by aborting a transaction, a pool starved by transactions waiting
 *      on each other, a crash); every error code is one the contract lists for a mutation
 *      (REPLACEMENT_REQUIRED only from removeUser; UNAUTHENTICATED only for a call made with an
 *      API key that was revoked before the batch, or by an ok call of the same batch);
 *   2. invariants (model.ts's brokenInvariants: every resource keeps a live direct ADMIN unless
 *      its last one declined; group managers are internal and not TASKERs; the workspace keeps
 *      a JOINED ADMIN; REMOVED people hold no roles, group places, live API keys or PROCESSING
 *      jobs; status REMOVED exactly when removed_at is set), and:
 *        - job events: seq is dense per workspace (1..last_event_seq, no gap, no duplicate);
 *          each job's events tell its story in order (PROCESSING with growing progress, then
 *          at most one final status) and its last event is the job as it stands;
 *        - the audit log, replayed in id order from the memberships before the batch, judges
 *          every entry written during it, without timestamps: its actor was JOINED (INVITED for
 *          an answer to an invitation) and held the role the action needs (ADMIN-only actions,
 *          not-TASKER ones, a WORKFORCE_MANAGER removes TASKERs only, nobody removes an ADMIN,
 *          an ADMIN's role is taken only by themselves), the workspace keeps a JOINED ADMIN at
 *          every step, and the replay ends on the memberships the tables hold (every change of
 *          a role or status is audited, in the order it committed). Audit ids order any two
 *          transactions that lock the same membership row (the actor's FOR SHARE, the target's
 *          FOR NO KEY UPDATE): the id is drawn after the locks, before the commit.
 *   3. effects: each mutation that answered ok left what it claims (a role given or taken, a
 *      person in or out of a group, a group, job, key, tag or issue made with what it says, a
 *      job's new status, a membership's role or status...), unless another ok mutation of the
 *      same batch touched the same thing (then either order is legal, and the claim is skipped).
 *
 * A batch has a theme (chosen at random): `mixed` (any mutation), `group` (a group's roles,
 * members and managers, and its resources), `person` (one person acts while being demoted or
 * removed), `jobs` (the same few jobs reported, finished, cancelled, retried, their starters
 * removed). Themes only bias the choices: every mutation is sent in every theme.
 *
 * The parts are in concurrent/: world.ts (a workspace: making it, reading its tables),
 * operations.ts (the mutations sent), batch.ts (random choices, making a batch, sending it),
 * checks.ts (1 and 2: answers, job events, audit replay), effects.ts (3: the claims of ok calls).
 *
 * Environment:
 *   CONCURRENT_BATCHES     batches in all (default 48)
 *   CONCURRENT_WIDTH       mutations sent at once in a batch (default 12)
 *   CONCURRENT_SEED        the seed of the random choices (default: a new one, printed)
 *   CONCURRENT_WORKSPACE_BATCHES  batches per fresh workspace (default 8)
 *   CONCURRENT_VERBOSE=1   print every batch with its answers
 *   TEST_DATABASE_URL      PostgreSQL (required: PGlite runs one transaction at a time, so the
 *                          test is skipped without it)
 *
 * Which concurrent call wins is up to the scheduler, so a seed replays the same choices only
 * as long as the answers come out the same; a failure prints its batch (the people, each call
 * with its actor, operation, variables and answer) so that batch can be sent again as is.
 */
const BATCHES = Number(process.env.CONCURRENT_BATCHES ?? 48);
const WIDTH = Number(process.env.CONCURRENT_WIDTH ?? 12);
const PER_WORKSPACE = Math.max(1, Number(process.env.CONCURRENT_WORKSPACE_BATCHES ?? 8));
const SEED = process.env.CONCURRENT_SEED !== undefined ? Number(process.env.CONCURRENT_SEED) : Math.floor(Math.random() * 2 ** 31);
const VERBOSE = process.env.CONCURRENT_VERBOSE === '1';

const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

let server: TestServer;
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

onPostgres('concurrent property (PostgreSQL)', () => {
  it(`keeps every rule under ${BATCHES} batches of ${WIDTH} concurrent mutations`, async () => {
    const started = Date.now();
    const rng = seededRandom(SEED);
    const byCode = new Map<string, number>();
    const byKind = new Map<string, { sent: number; ok: number }>();
    const claimsSeen = { checked: 0, skipped: 0 };
    let batchesRun = 0;
    let workspaces = 0;
    let world: World | undefined;
    try {
      for (let b = 0; b < BATCHES; b++) {
        if (b % PER_WORKSPACE === 0) {
          world = await newWorld(server);
          workspaces++;
        }
        const w = world!;
        const before = await snapshot(server, w.workspaceId);
        const theme = rng.weighted<Theme>({ mixed: 4, group: 2, person: 2, jobs: 2 });
        const calls = makeBatch(rng, w, before, theme, rng.int(2 ** 31), WIDTH);
        const answers = await Promise.all(calls.map((call) => send(server, call)));
        const after = await snapshot(server, w.workspaceId);
        const audit = await readAuditAfter(server, w.workspaceId, before.x.maxAuditId);
        const label = labelIn(w, before.s);
        const okCalls = calls.map((call, i) => ({ call, answer: answers[i], i })).filter(({ answer }) => answer.code === 'ok');

        const problems: string[] = [];
        problems.push(...checkAnswers(calls, answers, keysRevokedBy(okCalls.map(({ call }) => call), before.s)));
        problems.push(...brokenInvariants(after.s).map(([rule, detail]) => `invariant broken: ${rule}: ${detail}`));
        problems.push(...checkEvents(after.x).map((p) => `job events: ${p}`));
        problems.push(...checkAudit(before.s, after.s, audit, label));
        problems.push(...checkEffects(okCalls, before, after, w, claimsSeen));

        batchesRun++;
        calls.forEach((call, i) => {
          byCode.set(answers[i].code, (byCode.get(answers[i].code) ?? 0) + 1);
          const k = byKind.get(call.kind) ?? { sent: 0, ok: 0 };
          k.sent++;
          if (answers[i].code === 'ok') k.ok++;
          byKind.set(call.kind, k);
        });
        if (VERBOSE) console.log(`batch ${b} (${theme}):\n  ${callLines(calls, answers).join('\n  ')}`);
        if (problems.length) {
          throw new Error(
            `batch ${b} (theme ${theme}, workspace ${w.workspaceId}) broke:\n  ${problems.join('\n  ')}\n\n` +
              `people before the batch: ${w.pool.map((p) => `${label(p.id)}=${p.id} <${p.email}>`).join(' ')}\n` +
              `its ${calls.length} calls, sent at once (replay: send these together, each with a token for its email (server.token(email)) or its API key):\n  ${callLines(calls, answers).join('\n  ')}\n` +
              `audit entries of the batch: ${audit.map((e) => `#${e.id} ${e.action} ${e.targetType} ${e.targetId.slice(0, 8)} by ${e.actor ? label(e.actor) : '-'}`).join('; ')}\n` +
              `choices: CONCURRENT_SEED=${SEED} CONCURRENT_BATCHES=${BATCHES} CONCURRENT_WIDTH=${WIDTH} CONCURRENT_WORKSPACE_BATCHES=${PER_WORKSPACE} (the same choices as long as earlier batches answer the same)`,
          );
        }
      }
    } finally {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const codes = [...byCode].sort(([a], [b]) => (a === 'ok' ? -1 : b === 'ok' ? 1 : a < b ? -1 : 1)).map(([c, n]) => `${c}=${n}`).join(' ');
      const mutations = [...byCode.values()].reduce((x, y) => x + y, 0);
      const kinds = [...byKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, { sent, ok }]) => `${k} ${ok}/${sent}`).join(', ');
      console.log(
        `concurrent property on PostgreSQL: seed ${SEED}, ${batchesRun}/${BATCHES} batches of ${WIDTH} in ${workspaces} workspaces, ${mutations} mutations, ` +
          `answers ${codes}, effects checked ${claimsSeen.checked} (skipped ${claimsSeen.skipped} touched by another), ${seconds} s | ok/sent: ${kinds}`,
      );
    }
    expect(batchesRun).toBe(BATCHES);
  }, Math.max(60_000, BATCHES * WIDTH * 150));
});

// PGlite runs one transaction at a time: say so in the run instead of passing silently.
(process.env.TEST_DATABASE_URL ? describe.skip : describe)('concurrent property (PGlite)', () => {
  it.skip('needs PostgreSQL (TEST_DATABASE_URL): PGlite serialises every transaction, so nothing runs concurrently', () => undefined);
});
