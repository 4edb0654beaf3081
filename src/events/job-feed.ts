import { execute, GraphQLError, type ExecutionResult, type FieldNode, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type WebSocket from 'ws';
import type { Membership } from '../authorization/access';
import { members as liveMembers } from '../authorization/facts.data';
import { scopes, sees, seesEvery } from '../authorization/scopes';
import { liveKeys } from '../modules/api-keys/api-keys.data';
import { jobsById } from '../modules/jobs/job.loaders';
import type { Context, SocketTransport, Viewer } from '../server/context';
import { formatError } from '../server/format-error';
import { pruneEvents, readEventsAfter, resyncRequired, type JobEventWithJob } from './job-event-log';
import type { JobNotifier, Revocation } from './notifier';
import type { PayloadShape, ShapeRegistry } from './payload-shape';
import { frameStreamOf, streamOf, writeTextFrame, type FrameStream } from './ws-frames';

/** What a subscription brings to the feed (src/events/job-events.subscription.ts makes it). */
export interface FeedSubscription {
  workspaceId: string;
  viewer: Viewer;
  /** The last seq this subscriber has (its `after`, or the log's end when it had none). */
  position: number;
  types: ReadonlySet<string> | null;
  statuses: ReadonlySet<string> | null;
  schema: GraphQLSchema;
  /** The subscription's root field and the type it returns: what its payload is made from. */
  field: FieldNode;
  rootType: GraphQLNamedType;
  /** The graphql-ws operation: its id, socket (the feed writes its `next` messages itself) and document. */
  transport: SocketTransport;
}

export interface JobFeedOptions {
  db: DataSource;
  log: Logger;
  notifier: JobNotifier;
  shapes: ShapeRegistry;
  /** A fresh request context for a viewer (with their membership as the round read it): payloads are executed in it. */
  contextFor: (viewer: Viewer, membership: Membership) => Context;
  retentionMs: number;
  /** A subscriber whose socket holds more unsent bytes than this is disconnected (it resumes with its cursor). */
  maxBufferedBytes: number;
  /** Credentials were taken away on some instance: close their sockets here. */
  onRevoked?: (revocation: Revocation) => void;
  /** How often to look at the log without a notification (a lost NOTIFY, a removal without events). */
  pollMs?: number;
  /** A round that has made no progress for this long is abandoned and started again from the subscribers' positions. */
  stallMs?: number;
  pruneEveryMs?: number;
  /** Events read (and fanned out) at once. */
  pageSize?: number;
  /** Told of each delivery (with the event's age) and each dropped consumer: the metrics. */
  observer?: FeedObserver;
}

export interface FeedObserver {
  delivered(lagSeconds: number): void;
  dropped(): void;
}

interface Subscriber {
  readonly workspaceId: string;
  readonly userId: string;
  readonly apiKeyId: string | null;
  readonly viewer: Viewer;
  readonly types: ReadonlySet<string> | null;
  readonly statuses: ReadonlySet<string> | null;
  readonly shape: PayloadShape;
  readonly schema: GraphQLSchema;
  readonly socket: WebSocket;
  /** `{"id":"<operation id>","type":"next","payload":` as bytes: only the payload changes per event. */
  readonly prefix: Buffer;
  /** Where the feed writes its frames itself (ws-frames.ts); null: through ws's send. */
  readonly frames: FrameStream | null;
  readonly stream: FeedStream;
  position: number;
  /** Their membership (its role decides what they see), read with each page of events; null until the first. */
  membership: Membership | null;
  resync: boolean;
}

/** Every subscriber of one workspace on this instance, and the one loop that feeds them. */
interface Channel {
  readonly workspaceId: string;
  readonly subs: Set<Subscriber>;
  /** The highest seq read from the log so far. */
  head: number;
  /** The highest seq a wake-up has named: a second wake-up for it (the NOTIFY after the local one) adds no round. */
  heard: number;
  running: Promise<void> | null;
  /** The round in progress: whoever holds an older one was abandoned and must not deliver. */
  run: Run | null;
  /** The last round failed or stalled (until one completes): the feed is not keeping up. */
  failing: boolean;
  again: boolean;
  /** Check memberships even if no event is new (the periodic poll). */
  recheck: boolean;
  /** No round starts before this (ms): see pump. */
  restUntil: number;
}

/** One pump of a channel; `since` is when it last made progress (the watchdog reads it). */
interface Run {
  since: number;
  /** How long the writes of its current round held the event loop (ms). */
  wroteMs: number;
}

/** One payload: an event executed for one shape and one viewer class, serialised once. */
interface Slot {
  row: JobEventWithJob;
  sub: Subscriber;
  viewerKey: string;
  /** The payload and the message's closing brace: what follows a subscriber's prefix. */
  tail: Buffer;
}

const UNRENDERED = Buffer.alloc(0);
const TEXT = { binary: false } as const;
const OPEN = 1;

/**
 * After a round whose writes held the event loop for W ms, the next round waits 0.75 W: the
 * writes take at most ~57% of the loop under a steady stream of events. Measured at 200 job
 * changes a second to 1,000 subscribers on 2 vCPUs (bench/fanout, sustained): no wait kept 85
 * changes a second (the writes starved the requests), 0.5 W 150, 0.75 W 185 with p99 ~100 ms,
 * 1 W 165-200 with p99 170-280 ms (fewer, larger rounds), 2 W 200 with p99 540 ms.
 */
const REST_PER_WRITE = 0.75;

/**
 * The subscribers' prefixes, in slabs of their own: Buffer.from takes a small buffer from Node's
 * shared 8 KB pool, and one kept for a subscription's life keeps its whole slab alive with
 * whatever else was cut from it (a 4 KB slab here holds ~60 prefixes).
 */
let prefixSlab = Buffer.allocUnsafeSlow(0);
let prefixUsed = 0;
function prefixBytes(text: string): Buffer {
  const length = Buffer.byteLength(text);
  if (prefixUsed + length > prefixSlab.length) {
    prefixSlab = Buffer.allocUnsafeSlow(Math.max(4096, length));
    prefixUsed = 0;
  }
  const bytes = prefixSlab.subarray(prefixUsed, prefixUsed + length);
  bytes.write(text);
  prefixUsed += length;
  return bytes;
}

/**
 * The in-process hub of the Activity Center feed. Per workspace with subscribers here, one
 * loop (the channel's pump) reads the log and hands each event to each subscriber in seq
 * order, each from its own position: a replay (`after`) and the live feed are the same path,
 * so there is no seam to lose or repeat an event at. The loop runs when the notifier says the
 * log has grown (a change through this instance or another), when a subscriber joins behind,
 * and every pollMs as a safety net.
 *
 * Per round: the events after the head (for those caught up) and a page of older ones (for
 * those replaying), one query for the memberships of every subscriber
 * (so a role change or removal takes effect on the next event); then, per subscriber, the
 * visibility and filter checks run from that memory, and each distinct payload (event x shape
 * x viewer class, see payload-shape.ts) is executed and serialised once and written to every
 * socket that wants it, as bytes, without going through graphql-ws's per-subscriber execute.
 */
export class JobFeed {
  private readonly channels = new Map<string, Channel>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  /** Others woken by each new event (the webhook sender). */
  private readonly listeners: Array<(workspaceId: string) => void> = [];
  private readonly pageSize: number;
  private readonly stallMs: number;
  /**
   * Counters since start: pages of events read, payloads executed, messages written, stalled
   * rounds restarted, writes of several messages to one subscriber at once.
   */
  readonly stats = { pages: 0, renders: 0, deliveries: 0, restarts: 0, corked: 0 };

  /** Subscriptions open on this instance. */
  get subscriptions(): number {
    let n = 0;
    for (const channel of this.channels.values()) n += channel.subs.size;
    return n;
  }

  constructor(private readonly options: JobFeedOptions) {
    this.pageSize = options.pageSize ?? 500;
    this.stallMs = options.stallMs ?? 10_000;
  }

  async start(): Promise<void> {
    await this.options.notifier.start({
      onEvent: (workspaceId, seq) => this.wake(workspaceId, seq),
      onResume: () => this.wakeAll(false),
      onRevoked: this.options.onRevoked,
    });
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.pollMs ?? 5_000, () => this.wakeAll(true));
    every(Math.max(25, Math.floor(this.stallMs / 4)), () => this.watch());
    const pruneEvery = this.options.pruneEveryMs ?? Math.min(Math.max(this.options.retentionMs / 24, 60_000), 3_600_000);
    every(pruneEvery, () => {
      this.prune().catch((error) => this.options.log.warn({ err: error }, 'job feed: pruning the event log failed'));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.options.notifier.stop();
    const running: Promise<void>[] = [];
    for (const channel of this.channels.values()) {
      if (channel.running) running.push(channel.running);
      for (const sub of channel.subs) this.end(sub);
    }
    await Promise.allSettled(running);
    this.channels.clear();
  }

  /**
   * After a job change has committed through this instance: feed the local subscribers now (the
   * others, and this one again, hear of it from the NOTIFY its event's statement sent at commit).
   */
  published(workspaceId: string, seq: number): void {
    this.wake(workspaceId, seq);
  }

  /** Tells every other instance that credentials were taken away (their sockets close there too). */
  broadcastRevocation(revocation: Revocation): Promise<void> {
    return this.options.notifier.revoked(revocation);
  }

  /** Registers a subscription; answers the stream graphql-ws holds (it yields nothing: events are written directly). */
  open(init: FeedSubscription): AsyncIterableIterator<never> {
    if (this.stopped) throw new Error('the job feed has stopped');
    const viewer = init.viewer;
    const { transport } = init;
    const shape = this.options.shapes.acquire({
      schema: init.schema,
      document: transport.document,
      field: init.field,
      rootType: init.rootType,
      variableValues: transport.variableValues,
      operationName: transport.operationName,
    });
    const sub: Subscriber = {
      workspaceId: init.workspaceId,
      userId: viewer.userId,
      apiKeyId: viewer.apiKey?.id ?? null,
      viewer,
      types: init.types,
      statuses: init.statuses,
      shape,
      schema: init.schema,
      socket: transport.socket,
      prefix: prefixBytes(`{"id":${JSON.stringify(transport.operationId)},"type":"next","payload":`),
      frames: frameStreamOf(transport.socket),
      stream: new FeedStream(() => this.remove(sub)),
      position: init.position,
      membership: null,
      resync: false,
    };
    let channel = this.channels.get(init.workspaceId);
    const first = !channel;
    if (!channel) {
      channel = { workspaceId: init.workspaceId, subs: new Set(), head: init.position, heard: init.position, running: null, run: null, failing: false, again: false, recheck: false, restUntil: 0 };
      this.channels.set(init.workspaceId, channel);
    }
    channel.subs.add(sub);
    // A first subscriber looks once: an event may have committed (and its wake-up passed by)
    // between reading its start position and now. Later ones look when they start behind.
    if (first || channel.running || sub.position < channel.head) this.schedule(channel);
    return sub.stream;
  }

  /** Deletes events older than the retention; any instance may run it at any time. */
  prune(now = new Date()): Promise<number> {
    return pruneEvents(this.options.db, new Date(now.getTime() - this.options.retentionMs));
  }

  /**
   * Whether the feed keeps up (for /readyz): notifications can arrive, and no workspace's loop
   * is failing or has made no progress for stallMs.
   */
  get healthy(): boolean {
    if (!this.options.notifier.listening) return false;
    const now = Date.now();
    for (const channel of this.channels.values()) {
      if (channel.failing || (channel.run && now - channel.run.since >= this.stallMs)) return false;
    }
    return true;
  }

  /** Subscribers on this instance (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const channel of this.channels.values()) n += channel.subs.size;
    return n;
  }

  /** Calls `listener` whenever a workspace's log grows (a change through this instance or another). */
  onEvents(listener: (workspaceId: string) => void): void {
    this.listeners.push(listener);
  }

  private wake(workspaceId: string, seq: number): void {
    for (const listener of this.listeners) listener(workspaceId);
    const channel = this.channels.get(workspaceId);
    if (!channel || seq <= channel.head || seq <= channel.heard) return;
    channel.heard = seq;
    this.schedule(channel);
  }

  private wakeAll(recheck: boolean): void {
    for (const channel of this.channels.values()) {
      if (recheck) channel.recheck = true;
      this.schedule(channel);
    }
  }

  private schedule(channel: Channel): void {
    if (this.stopped) return;
    if (channel.running) {
      channel.again = true;
      return;
    }
    channel.running = this.pump(channel);
  }

  private async pump(channel: Channel): Promise<void> {
    const run: Run = { since: Date.now(), wroteMs: 0 };
    channel.run = run;
    try {
      do {
        // A round waits a while after the last one's writes (REST_PER_WRITE): under a steady
        // stream of events, what commits meanwhile goes out together, one write per subscriber
        // for all of it, and the requests keep a share of the event loop. An event after a quiet
        // spell goes out at once.
        const rest = channel.restUntil - Date.now();
        if (rest > 0) {
          await new Promise((resolve) => setTimeout(resolve, rest));
          if (channel.run !== run || this.stopped) return;
          run.since = Date.now();
        }
        channel.again = false;
        try {
          await this.drain(channel, run);
          channel.restUntil = Date.now() + REST_PER_WRITE * run.wroteMs;
          run.wroteMs = 0;
        } catch (error) {
          if (channel.run !== run) return; // abandoned meanwhile: the new round reports for itself
          // The database is down or a statement failed: try again shortly (and on the next wake or poll).
          if (!channel.failing) this.options.log.error({ err: error, workspaceId: channel.workspaceId }, 'job feed: reading the event log failed');
          channel.failing = true;
          this.retryLater(channel);
          return;
        }
      } while (channel.again && !this.stopped && channel.run === run);
      if (channel.run === run) channel.failing = false;
    } finally {
      if (channel.run === run) {
        channel.run = null;
        channel.running = null;
        if (channel.subs.size === 0 && this.channels.get(channel.workspaceId) === channel) this.channels.delete(channel.workspaceId);
      }
    }
  }

  private retryLater(channel: Channel): void {
    const timer = setTimeout(() => this.schedule(channel), Math.min(1_000, this.options.pollMs ?? 5_000));
    timer.unref();
  }

  /**
   * The watchdog: a round that has made no progress for stallMs (a read on a connection that
   * stopped answering) is abandoned, and a new one starts on another connection from each
   * subscriber's position, which only moves when an event is written to its socket: nothing
   * is lost, nothing is sent twice, whatever the abandoned round's read does later.
   */
  private watch(): void {
    const now = Date.now();
    for (const channel of this.channels.values()) {
      const run = channel.run;
      if (!run || now - run.since < this.stallMs) continue;
      this.options.log.warn({ workspaceId: channel.workspaceId, stalledMs: now - run.since }, 'job feed: a round stalled; starting again from the last delivered cursor');
      this.stats.restarts += 1;
      channel.run = null;
      channel.running = null;
      channel.failing = true;
      channel.recheck = true;
      this.schedule(channel);
    }
  }

  /**
   * Reads and hands out what is new, page by page, until nothing is. Two ranges per round: the
   * live one (after the channel's head) for the subscribers who are caught up, and one page of
   * catch-up for those who resumed from further back, so a client replaying days of events
   * delays the live ones by one page at most, not by its whole replay.
   */
  private async drain(channel: Channel, run: Run): Promise<void> {
    // After each wait: give up if the watchdog abandoned this round, else note the progress.
    const current = () => {
      if (channel.run !== run || this.stopped) return false;
      run.since = Date.now();
      return true;
    };
    for (;;) {
      // A snapshot: subscribers who join meanwhile are taken from their own position next round.
      const subs = [...channel.subs];
      if (subs.length === 0 || this.stopped) return;
      const head = channel.head;
      let behind = Infinity;
      for (const sub of subs) if (sub.position < head && sub.position < behind) behind = sub.position;
      const [older, live] = await Promise.all([
        behind < head ? readEventsAfter(this.options.db, channel.workspaceId, behind, Math.min(this.pageSize, head - behind)) : [],
        readEventsAfter(this.options.db, channel.workspaceId, head, this.pageSize),
      ]);
      if (!current()) return;
      const catchUp = older.filter((row) => row.seq <= head);
      const recheck = channel.recheck;
      channel.recheck = false;
      if (catchUp.length === 0 && live.length === 0 && !recheck) return;
      const access = await this.loadAccess(channel.workspaceId, subs);
      if (!current()) return;
      if (live.length > 0) channel.head = Math.max(channel.head, live[live.length - 1].seq);
      this.stats.pages += 1;
      const viewers = this.checkAccess(subs, access);
      if (behind < head && catchUp.length === 0) {
        // Everything between them and the head was pruned under them.
        for (const sub of viewers) if (sub.position < head) this.resync(sub);
      }
      // Older first: a subscriber that catches up goes on with the live rows.
      if (!(await this.fanOut(viewers, catchUp, behind, run, current))) return;
      if (!(await this.fanOut(viewers, live, head, run, current))) return;
      const more = live.length === this.pageSize || catchUp.length > 0;
      if (!more) return;
    }
  }

  /** Who of these subscribers is still a JOINED member, with which role; which API keys still work. */
  private async loadAccess(workspaceId: string, subs: Subscriber[]) {
    const userIds = [...new Set(subs.map((s) => s.userId))];
    const keyIds = [...new Set(subs.map((s) => s.apiKeyId).filter((id): id is string => id !== null))];
    const [members, keys] = await Promise.all([liveMembers(this.options.db, workspaceId, userIds), liveKeys(this.options.db, keyIds)]);
    return { members: new Map(members.map((m) => [m.userId, m])), keys };
  }

  /** Ends the subscriptions of people removed (or whose key was revoked); notes each remaining one's role. */
  private checkAccess(subs: Subscriber[], access: Awaited<ReturnType<JobFeed['loadAccess']>>): Subscriber[] {
    const live: Subscriber[] = [];
    for (const sub of subs) {
      if (sub.stream.done) continue;
      const member = access.members.get(sub.userId);
      if (!member || member.status !== 'JOINED' || (sub.apiKeyId !== null && !access.keys.has(sub.apiKeyId))) {
        this.end(sub); // they may see nothing of the workspace any more: the subscription ends
        continue;
      }
      sub.membership = member;
      live.push(sub);
    }
    return live;
  }

  /**
   * Hands out rows read after `from` (all of them up to the last, the log being dense): a
   * subscriber takes the rows after its position, in seq order; one whose next row should be in
   * the range but is not was overtaken by pruning (RESYNC_REQUIRED); one behind `from` waits for
   * its own range. Positions move only with the writes, after the payloads are made, and only if
   * the round is still `current()`; answers false when it is not (nothing was sent).
   */
  private async fanOut(live: Subscriber[], rows: JobEventWithJob[], from: number, run: Run, current: () => boolean): Promise<boolean> {
    if (rows.length === 0) return true;
    // Plan, per subscriber, what it gets in seq order: one slot per distinct payload (row x
    // shape x viewer class), shared by every subscriber that wants it. Flat arrays, not an
    // object per subscriber: this loop runs for every subscriber of every round.
    const slots: Slot[] = [];
    const byClass = new Map<number, Map<string, Array<Slot | undefined>>>(); // shape id -> viewer key -> slot by row index
    const planned: Subscriber[] = [];
    const positions: number[] = []; // each planned subscriber's position once its rows are written
    const ends: number[] = []; // where each planned subscriber's slots end in `deliveries`
    const deliveries: Slot[] = [];
    const resynced: Subscriber[] = [];
    for (const sub of live) {
      let position = sub.position;
      if (position < from || sub.resync || sub.stream.done) continue;
      let i = 0;
      while (i < rows.length && rows[i].seq <= position) i++;
      let forClass: Array<Slot | undefined> | undefined;
      let viewerKey = '';
      for (; i < rows.length; i++) {
        const row = rows[i];
        if (row.seq !== position + 1) {
          resynced.push(sub); // the log no longer holds what this subscriber has not seen
          break;
        }
        position = row.seq;
        if (sub.types !== null && !sub.types.has(row.jobType)) continue;
        if (sub.statuses !== null && !sub.statuses.has(row.status)) continue;
        const role = sub.membership!.role; // checkAccess set it for every subscriber handed here
        if (!seesEvery(scopes.job, role) && !sees(scopes.job, { userId: sub.userId, role }, { startedBy: row.jobUserId })) continue; // the rule jobEvents' scope
        if (!forClass) {
          viewerKey = sub.shape.sharedBy(role) ? role : sub.userId;
          let byViewer = byClass.get(sub.shape.id);
          if (!byViewer) byClass.set(sub.shape.id, (byViewer = new Map()));
          forClass = byViewer.get(viewerKey);
          if (!forClass) byViewer.set(viewerKey, (forClass = []));
        }
        let slot = forClass[i];
        if (!slot) {
          forClass[i] = slot = { row, sub, viewerKey, tail: UNRENDERED };
          slots.push(slot);
        }
        deliveries.push(slot);
      }
      if (position === sub.position) continue;
      planned.push(sub);
      positions.push(position);
      ends.push(deliveries.length);
    }

    if (slots.length > 0) await this.render(slots);
    if (!current()) return false; // abandoned: the new round sends these from the same positions

    const now = Date.now();
    const began = performance.now();
    for (let k = 0, start = 0; k < planned.length; start = ends[k++]) {
      const sub = planned[k];
      sub.position = positions[k];
      if (ends[k] - start === 1) this.deliver(sub, deliveries[start], now);
      else if (ends[k] > start) this.deliverCorked(sub, deliveries, start, ends[k], now);
    }
    run.wroteMs += performance.now() - began;
    for (const sub of resynced) {
      sub.resync = true;
      this.resync(sub);
    }
    return true;
  }

  private deliver(sub: Subscriber, slot: Slot, now: number): void {
    if (this.send(sub, slot.tail)) this.options.observer?.delivered((now - slot.row.occurredAt.getTime()) / 1000);
  }

  /**
   * Several events to one subscriber: its socket is corked around them, so they leave in one
   * write (ws corks and uncorks around each frame; corks nest), each its own `next`, in order.
   */
  private deliverCorked(sub: Subscriber, deliveries: Slot[], start: number, end: number, now: number): void {
    const raw = streamOf(sub.socket);
    this.stats.corked += 1;
    raw?.cork();
    try {
      for (let j = start; j < end; j++) this.deliver(sub, deliveries[j], now);
    } finally {
      raw?.uncork();
    }
  }

  /** The last message of a subscriber the log has moved past: RESYNC_REQUIRED, then the end. */
  private resync(sub: Subscriber): void {
    this.send(sub, Buffer.from(`${JSON.stringify({ errors: [resyncRequired().toJSON()] })}}`));
    this.end(sub);
  }

  /** Executes and serialises each slot once; slots of one viewer class share a context (and its batching). */
  private async render(slots: Slot[]): Promise<void> {
    const contexts = new Map<string, Context>();
    await Promise.all(
      slots.map(async (slot) => {
        let ctx = contexts.get(slot.viewerKey);
        if (!ctx) contexts.set(slot.viewerKey, (ctx = this.options.contextFor(slot.sub.viewer, slot.sub.membership!)));
        if (slot.row.job) jobsById(ctx).prime(slot.row.job.id, slot.row.job); // read with the event
        const { shape } = slot.sub;
        this.stats.renders += 1;
        let result: ExecutionResult;
        // Its own root: the context's byte budget counts per root, so it applies to each payload.
        const root = { ...slot.row };
        try {
          result = await execute({
            schema: slot.sub.schema,
            document: shape.document,
            rootValue: root,
            contextValue: ctx,
            variableValues: shape.variableValues,
            operationName: shape.operationName,
          });
        } catch (error) {
          this.options.log.error({ err: error }, 'job feed: executing a payload failed');
          result = { data: null, errors: [new GraphQLError('Internal server error', { originalError: error as Error })] };
        }
        result = ctx.budget.result(root) ?? result;
        const payload = result.errors?.length
          ? { data: result.data ?? null, errors: result.errors.map((e) => formatError(ctx!.log, e.toJSON(), e)) }
          : { data: result.data };
        slot.tail = Buffer.from(`${JSON.stringify(payload)}}`);
      }),
    );
  }

  /** Sends the subscriber's prefix and `tail` as one message; answers whether it was sent. */
  private send(sub: Subscriber, tail: Buffer): boolean {
    if (sub.stream.done) return false;
    const socket = sub.socket;
    if (socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      // A slow consumer would hold every event in memory: drop it (as the WebSocket limits do;
      // a close frame would wait behind the backlog); it resumes from its last cursor.
      this.options.log.warn({ userId: sub.userId, bufferedAmount: socket.bufferedAmount }, 'job feed: dropping a slow consumer');
      socket.terminate();
      this.options.observer?.dropped();
      return false;
    }
    this.stats.deliveries += 1;
    if (sub.frames) writeTextFrame(sub.frames, sub.prefix, tail);
    else socket.send(Buffer.concat([sub.prefix, tail]), TEXT);
    return true;
  }

  /** Ends a subscription from the server's side: graphql-ws then sends `complete`. */
  private end(sub: Subscriber): void {
    sub.stream.finish();
    this.remove(sub);
  }

  private remove(sub: Subscriber): void {
    const channel = this.channels.get(sub.workspaceId);
    if (!channel || !channel.subs.delete(sub)) return;
    this.options.shapes.release(sub.shape);
    if (channel.subs.size === 0 && !channel.running) this.channels.delete(sub.workspaceId);
  }
}

/**
 * What graphql-ws iterates for a feed subscription: it yields nothing (the feed writes the
 * events to the socket itself) and ends when the feed ends it or the client leaves
 * (graphql-ws calls return(), which unregisters the subscriber).
 */
export class FeedStream implements AsyncIterableIterator<never> {
  done = false;
  private waiting: ((result: IteratorResult<never>) => void) | null = null;

  constructor(private readonly onReturn: () => void) {}

  next(): Promise<IteratorResult<never>> {
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<never>> {
    this.finish();
    this.onReturn();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<never>> {
    this.finish();
    this.onReturn();
    return Promise.reject(error);
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<never> {
    return this;
  }
}
