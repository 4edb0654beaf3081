import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { startService, type RunningService } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { mintToken } from '../../src/dev-token';
import { eventCursor, startPosition } from '../../src/events/job-event-log';
import { reportJobProgress, startJob } from '../../src/modules/jobs/job.service';
import { createContext, type Viewer } from '../../src/server/context';
import { serve } from './ipc';

/**
 * A measured process, in one of two roles: `setup` makes it the workspace service (PGlite in
 * memory, or PostgreSQL with BENCH_FANOUT_DB) whose feed fans job events out; `listen` makes it
 * a bare `ws` server that broadcasts the bytes it is given. The driver (run.ts) triggers events
 * and broadcasts and reads each process's CPU and memory.
 */
const SECRET = 'fanout-bench-secret-fanout-bench-secret-0123';
const gc = (globalThis as { gc?: () => void }).gc;

let service: RunningService | undefined;
let workspaceId: string;
let jobId: string;
let quietJobId: string;
let admin: Viewer;
let progress = 0;
let cpuStart = process.cpuUsage();
let tCommit = 0n;
/** While a sustained run records them: each event's commit time (ns) by seq. */
let commits: Map<number, number> | null = null;
/** More running jobs for the sustained run: its changes go round them, like several workers. */
let moreJobs: string[] = [];
let projectId: string;
const bare = new Set<WebSocket>();
let profiler: Session | null = null;

function ctxFor(viewer: Viewer) {
  return createContext({ requestId: randomUUID(), log: service!.services.log, services: service!.services, viewer });
}

/**
 * Calls `fire(i, scheduledNs)` for i = 0..count-1 at `rate` a second from now (each as soon as
 * it is due; a late loop fires all that are due at once), then `flush()` after each pass.
 * Answers how late the last pass ran behind its schedule (ms): whether the process kept up.
 */
function onSchedule(rate: number, count: number, fire: (i: number, scheduledNs: number) => void, flush: () => void = () => undefined): Promise<number> {
  const intervalNs = 1e9 / rate;
  const t0 = Number(process.hrtime.bigint());
  let next = 0;
  let late = 0;
  return new Promise((resolve) => {
    const pass = () => {
      const now = Number(process.hrtime.bigint());
      while (next < count && t0 + next * intervalNs <= now) {
        late = Math.max(late, (now - (t0 + next * intervalNs)) / 1e6);
        fire(next, t0 + next * intervalNs);
        next += 1;
      }
      flush();
      if (next >= count) return resolve(late);
      setTimeout(pass, Math.max(0, (t0 + next * intervalNs - Number(process.hrtime.bigint())) / 1e6));
    };
    pass();
  });
}

serve({
  /** The service role: starts the service; makes a workspace with `users` ADMINs, a project and a running job. */
  async setup({ users }: { users: number }) {
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: SECRET,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      DATABASE_URL: process.env.BENCH_FANOUT_DB || 'memory',
      RATE_LIMIT_POINTS: '0',
      RATE_LIMIT_ANONYMOUS_POINTS: '0',
      WS_MAX_CONNECTIONS_PER_USER: '10000',
      WS_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024),
    });
    service = await startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });
    const db = service.services.db;

    const tokens: string[] = [];
    const viewers: Viewer[] = [];
    for (let i = 0; i < users; i++) {
      const email = `admin${i}@fanout.bench`;
      const token = await mintToken(SECRET, { sub: `bench|${email}`, email, name: `Admin ${i}` });
      tokens.push(token);
      viewers.push((await service.services.authenticator.authenticate(`Bearer ${token}`))!);
    }
    admin = viewers[0];
    const workspace = async (name: string) => {
      const id = randomUUID();
      await db.query(`INSERT INTO workspaces (id, name, internal_domains) VALUES ($1, $2, '{fanout.bench}')`, [id, name]);
      await db.query(
        `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at)
         SELECT $1, unnest($2::uuid[]), 'ADMIN', 'JOINED', now(), now()`,
        [id, viewers.map((v) => v.userId)],
      );
      const project = randomUUID();
      await db.query(`INSERT INTO resources (id, workspace_id, type, name, created_by) VALUES ($1, $2, 'PROJECT', 'Street scenes', $3)`, [project, id, admin.userId]);
      await db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [project, admin.userId, id]);
      const job = (await startJob(ctxFor(admin), { workspaceId: id, type: 'MODEL_TRAINING', projectId: project })).id;
      return { id, project, job };
    };
    ({ id: workspaceId, project: projectId, job: jobId } = await workspace('Fan-out bench'));
    // The same job change in a workspace nobody subscribes to: what a change costs without its fan-out.
    quietJobId = (await workspace('Fan-out bench, unwatched')).job;

    // Stamp the commit: the feed is told right after the transaction commits.
    const feed = service.services.jobFeed;
    const published = feed.published.bind(feed);
    feed.published = (ws, seq) => {
      tCommit = process.hrtime.bigint();
      commits?.set(seq, Number(tCommit));
      published(ws, seq);
    };

    return { port: service.port, workspaceId, tokens };
  },

  /** The bare role: a ws server that keeps its sockets. */
  async listen() {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', (socket) => {
      bare.add(socket);
      // The keepalive the service's sockets have (graphql-ws pings each every 12 s): at 10k
      // sockets, bursts of pings fall into some measured events on both sides alike.
      const keepAlive = setInterval(() => socket.ping(), 12_000);
      socket.on('close', () => {
        clearInterval(keepAlive);
        bare.delete(socket);
      });
    });
    return new Promise<number>((resolve) => http.listen(0, '127.0.0.1', () => resolve((http.address() as any).port)));
  },

  async cursor() {
    return eventCursor({ workspaceId, seq: await startPosition(service!.services.db, workspaceId, null) });
  },

  counts() {
    return service ? { sockets: service.services.jobFeed.size, stats: { ...service.services.jobFeed.stats } } : { sockets: bare.size };
  },

  mem() {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
  },

  /** One job change through the service (`quiet`: in the workspace with no subscriber); answers when it has committed. */
  async event({ quiet }: { quiet?: boolean }) {
    cpuStart = process.cpuUsage();
    progress += 1;
    await reportJobProgress(ctxFor(admin), { jobId: quiet ? quietJobId : jobId, progress: progress / 1_000_000 });
    return { tCommit: tCommit.toString() };
  },

  /** Starts the sustained run's other jobs (their events go out before it is measured). */
  async startJobs({ count }: { count: number }) {
    while (moreJobs.length < count) moreJobs.push((await startJob(ctxFor(admin), { workspaceId, type: 'MODEL_TRAINING', projectId })).id);
    return moreJobs.length;
  },

  /**
   * The sustained run's job changes: `rate` a second for `seconds`, each started on schedule
   * (not after the previous one), round the jobs; one job's changes in order (progress only
   * grows), so up to one per job in flight. Answers each event's commit time (ns) in seq order.
   */
  async sustainFeed({ rate, seconds }: { rate: number; seconds: number }) {
    const jobs = [jobId, ...moreJobs];
    const count = Math.round(rate * seconds);
    const chains = jobs.map(() => Promise.resolve());
    commits = new Map();
    const cpu0 = process.cpuUsage();
    const late = await onSchedule(rate, count, (i) => {
      const job = i % jobs.length;
      progress += 1;
      const value = progress / 1_000_000;
      chains[job] = chains[job].then(() => reportJobProgress(ctxFor(admin), { jobId: jobs[job], progress: value }).then(() => undefined));
    });
    await Promise.all(chains);
    const recorded = [...commits].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
    commits = null;
    const c = process.cpuUsage(cpu0);
    return { commits: recorded, cpuUs: c.user + c.system, late };
  },

  /**
   * The bare counterpart: `rate` messages a second to every socket for `seconds`; what is due
   * when the loop gets to it goes out together, corked per socket, as the feed does with the
   * events of one round. Answers each message's scheduled time (ns).
   */
  async sustainBare({ text, rate, seconds }: { text: string; rate: number; seconds: number }) {
    const bytes = Buffer.from(text);
    const count = Math.round(rate * seconds);
    const cpu0 = process.cpuUsage();
    const times: number[] = [];
    let due = 0;
    let sent = 0;
    const late = await onSchedule(rate, count, (i, scheduled) => {
      times.push(scheduled);
      due = i + 1;
    }, () => {
      const n = due - sent;
      if (n <= 0) return;
      for (const socket of bare) {
        const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
        raw?.cork();
        for (let k = 0; k < n; k++) socket.send(bytes, { binary: false });
        raw?.uncork();
      }
      sent = due;
    });
    const c = process.cpuUsage(cpu0);
    return { commits: times, cpuUs: c.user + c.system, late };
  },

  /** The same bytes to every bare socket, as text frames, the way a broadcast loop does it. */
  broadcast({ text }: { text: string }) {
    const bytes = Buffer.from(text);
    cpuStart = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const socket of bare) socket.send(bytes, { binary: false });
    return { tCommit: t0.toString() };
  },

  /** CPU (user + system, µs) since the last event or broadcast began. */
  cpu() {
    const d = process.cpuUsage(cpuStart);
    return d.user + d.system;
  },

  /** A heap snapshot (FANOUT_HEAP=<dir>): what the subscriptions hold. */
  heapSnapshot({ file }: { file: string }) {
    gc?.();
    return writeHeapSnapshot(file);
  },

  /** FANOUT_PROFILE: a CPU profile of one measured phase only. */
  profileStart() {
    profiler = new Session();
    profiler.connect();
    return new Promise((resolve) => profiler!.post('Profiler.enable', () => profiler!.post('Profiler.start', () => resolve(true))));
  },

  profileStop({ file }: { file: string }) {
    return new Promise((resolve, reject) =>
      profiler!.post('Profiler.stop', (error, result) => {
        if (error) return reject(error);
        writeFileSync(file, JSON.stringify(result.profile));
        profiler!.disconnect();
        resolve(file);
      }),
    );
  },

  async stop() {
    for (const socket of bare) socket.terminate();
    await service?.close();
    setTimeout(() => process.exit(0), 100);
    return true;
  },
});
