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
let admin: Viewer;
let progress = 0;
let cpuStart = process.cpuUsage();
let tCommit = 0n;
const bare = new Set<WebSocket>();
let profiler: Session | null = null;

function ctxFor(viewer: Viewer) {
  return createContext({ requestId: randomUUID(), log: service!.services.log, services: service!.services, viewer });
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
    workspaceId = randomUUID();
    await db.query(`INSERT INTO workspaces (id, name, internal_domains) VALUES ($1, 'Fan-out bench', '{fanout.bench}')`, [workspaceId]);
    await db.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at)
       SELECT $1, unnest($2::uuid[]), 'ADMIN', 'JOINED', now(), now()`,
      [workspaceId, viewers.map((v) => v.userId)],
    );
    const projectId = randomUUID();
    await db.query(`INSERT INTO resources (id, workspace_id, type, name, created_by) VALUES ($1, $2, 'PROJECT', 'Street scenes', $3)`, [projectId, workspaceId, admin.userId]);
    await db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [projectId, admin.userId, workspaceId]);
    jobId = (await startJob(ctxFor(admin), { workspaceId, type: 'MODEL_TRAINING', projectId })).id;

    // Stamp the commit: the feed is told right after the transaction commits.
    const feed = service.services.jobFeed;
    const published = feed.published.bind(feed);
    feed.published = (ws, seq) => {
      tCommit = process.hrtime.bigint();
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
      socket.on('close', () => bare.delete(socket));
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

  /** One job change through the service; answers when it has committed. */
  async event() {
    cpuStart = process.cpuUsage();
    progress += 1;
    await reportJobProgress(ctxFor(admin), { jobId, progress: progress / 1_000_000 });
    return { tCommit: tCommit.toString() };
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
