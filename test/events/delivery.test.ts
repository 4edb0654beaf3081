import type { DocumentNode } from 'graphql';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { openSocket, type RawSocket } from '../hardening/raw-socket';
import { createResource, eventCursor, ok, progress, seqOf, settle, started, subscribe } from '../jobs/fixtures';

/**
 * How the feed's subscriptions are held and written to: the WebSocket path's parse + validate
 * cache (identical texts share one document, what depends on the variables is still checked per
 * subscription), and several events for one subscriber in one round (one corked write, each
 * event still its own `next`, in order).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const sockets: RawSocket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  return { workspaceId, admin, projectId };
}

async function connect(token: string): Promise<RawSocket> {
  const socket = await openSocket(server.wsUrl);
  sockets.push(socket);
  expect(await socket.init(token)).toBe(true);
  return socket;
}

const documents = () => server.service.app.wsDocuments();

/** Subscribes every (query, variables) on sockets of its own and waits until the feed holds them all. */
async function subscribeAll(token: string, workspaceId: string, after: string, list: Array<[string, Record<string, unknown>?]>) {
  const feed = server.service.services.jobFeed;
  const before = feed.size;
  const feeds = list.map(([query, vars]) => subscribe<any>(server.ws(token), { workspaceId, after, ...vars }, query));
  for (let i = 0; feed.size < before + list.length; i++) {
    if (i > 200) throw new Error('subscriptions never registered');
    await settle(20);
  }
  return feeds;
}

/** The documents the feed's subscribers of a workspace execute (the feed's own state: what they keep). */
function subscriberDocuments(workspaceId: string): DocumentNode[] {
  const feed = server.service.services.jobFeed as unknown as { channels: Map<string, { subs: Set<{ shape: { document: DocumentNode } }> }> };
  return [...(feed.channels.get(workspaceId)?.subs ?? [])].map((sub) => sub.shape.document);
}

describe('the WebSocket parse cache', () => {
  const text = (name: string, selection = 'cursor progress') =>
    `subscription ${name}($workspaceId: ID!, $after: String) { jobEvents(workspaceId: $workspaceId, after: $after) { ${selection} } }`;

  it('gives identical subscriptions one parsed document, and another text its own', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const cursor = await eventCursor(server, admin, workspaceId);
    const same = text('Dashboard');
    const other = text('Dashboard', 'progress cursor');
    const before = documents();
    const feeds = await subscribeAll(admin.token, workspaceId, cursor, [[same], [same], [other]]);
    expect(documents().parses - before.parses).toBe(2);

    const bySource = new Map<string, Set<DocumentNode>>();
    const held = subscriberDocuments(workspaceId);
    for (const document of held) bySource.set(document.loc!.source.body, (bySource.get(document.loc!.source.body) ?? new Set()).add(document));
    expect(held).toHaveLength(3);
    expect(bySource.get(same)?.size).toBe(1); // two subscriptions, one document
    expect(bySource.get(other)?.size).toBe(1);
    expect([...bySource.get(same)!][0]).not.toBe([...bySource.get(other)!][0]);

    await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    for (const feed of feeds) await feed.until(1);
    expect(feeds.map((feed) => feed.errors)).toEqual([[], [], []]);
    expect(feeds.map((feed) => Object.keys(feed.events[0]))).toEqual([
      ['cursor', 'progress'],
      ['cursor', 'progress'],
      ['progress', 'cursor'],
    ]);
  });

  it('answers a document that fails validation with its errors every time, without parsing it again', async () => {
    const { workspaceId, admin } = await setup();
    const socket = await connect(admin.token);
    const invalid = text('Broken', 'cursor nope');
    socket.subscribe('1', invalid, { workspaceId });
    const first = await socket.result('1');
    const parses = documents().parses;
    socket.subscribe('2', invalid, { workspaceId });
    const second = await socket.result('2');
    expect(documents().parses).toBe(parses);
    expect(first.errors[0]).toMatchObject({ message: expect.stringContaining('nope'), extensions: { code: 'BAD_USER_INPUT' } });
    expect(second).toEqual(first);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('still checks the variables of each subscription of a cached text', async () => {
    const { workspaceId, admin } = await setup();
    const socket = await connect(admin.token);
    const query = text('Variables');
    const parses = documents().parses;
    socket.subscribe('good', query, { workspaceId });
    socket.subscribe('missing', query, {});
    socket.subscribe('wrong', query, { workspaceId, after: 5 });
    expect((await socket.result('missing')).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await socket.result('wrong')).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(documents().parses).toBe(parses + 1); // the text once, for the three
    expect(socket.messages.filter((m) => m.id === 'good' && m.type !== 'next')).toEqual([]); // still running
  });

  it('keeps no more than its bounds: entries, and the texts\' total length', async () => {
    const { admin } = await setup();
    const socket = await connect(admin.token);
    const query = async (id: string, body: string) => {
      socket.subscribe(id, body);
      expect((await socket.result(id)).data).toEqual({ __typename: 'Query' });
    };
    const { maxEntries, maxTextLength } = documents();
    for (let i = 0; i < maxEntries + 10; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => query(`n${i + k}`, `query Bounded${i + k} { __typename }`)));
    }
    expect(documents().size).toBeLessThanOrEqual(maxEntries);
    let parses = documents().parses;
    await query('n0-again', 'query Bounded0 { __typename }'); // the oldest went: parsed again
    expect(documents().parses).toBe(parses + 1);

    // Five texts of ~60,000 characters (a comment pads them) pass the total length.
    const long = (i: number) => `query Long${i} { __typename } # ${'x'.repeat(60_000)}`;
    expect(5 * long(0).length).toBeGreaterThan(maxTextLength);
    for (let i = 0; i < 5; i++) await query(`long${i}`, long(i));
    parses = documents().parses;
    await query('long4-again', long(4)); // the newest is kept
    expect(documents().parses).toBe(parses);
    await query('long0-again', long(0)); // the oldest went
    expect(documents().parses).toBe(parses + 1);
  });
});

describe('jobEvents delivery of several events at once', () => {
  const FEED = `subscription($workspaceId: ID!, $after: String) { jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress job { id } } }`;

  it('sends each subscriber the events committed between its rounds each as its own message, in seq order', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, admin, workspaceId);
    for (let i = 1; i <= 5; i++) ok(await progress(server, admin, job.id, i / 10));
    const corked = server.service.services.jobFeed.stats.corked;
    // Each subscriber's first round holds the five: one write of five messages.
    const feeds = await subscribeAll(admin.token, workspaceId, cursor, [[FEED], [FEED], [FEED]]);
    for (const feed of feeds) await feed.until(5);
    expect(server.service.services.jobFeed.stats.corked - corked).toBeGreaterThanOrEqual(3);
    // Then live, several changes at once (on jobs of their own: each job's progress only grows).
    const others = await Promise.all([1, 2, 3].map(() => started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId })));
    await Promise.all(others.map((other) => progress(server, admin, other.id, 0.5).then(ok)));
    for (const feed of feeds) await feed.until(11);
    await settle();
    for (const feed of feeds) {
      expect(feed.errors).toEqual([]);
      expect(feed.events).toHaveLength(11);
      const seqs = feed.events.map((event: { cursor: string }) => seqOf(event.cursor));
      expect(seqs).toEqual(Array.from({ length: 11 }, (_, i) => seqOf(cursor) + 1 + i));
      expect(feed.events.slice(0, 5).map((event: { progress: number }) => event.progress)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    }
    expect(feeds[1].events).toEqual(feeds[0].events);
    expect(feeds[2].events).toEqual(feeds[0].events);
  });
});
