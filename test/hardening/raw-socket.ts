import WebSocket from 'ws';

/**
 * A bare graphql-transport-ws connection, for tests that need what graphql-ws's client hides:
 * close codes, messages sent back to back, a client that stops reading.
 */
export interface RawSocket {
  ws: WebSocket;
  /** Every message received, parsed. */
  messages: any[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Sends connection_init; resolves true on connection_ack, false if the socket closes first. */
  init(token?: string): Promise<boolean>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** Waits for the first message matching `match` (or throws after `ms`). */
  next(match: (message: any) => boolean, ms?: number): Promise<any>;
  /** The messages of one operation once it has completed or failed. */
  result(id: string, ms?: number): Promise<any>;
  close(): void;
}

export async function openSocket(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url, 'graphql-transport-ws');
  const messages: any[] = [];
  const waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => undefined); // surfaced through `closed`
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const socket: RawSocket = {
    ws,
    messages,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    init: async (token) => {
      socket.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
      const ack = socket.next((m) => m.type === 'connection_ack', 10_000).then(() => true);
      return Promise.race([ack, closed.then(() => false)]);
    },
    subscribe: (id, query, variables) => socket.send({ id, type: 'subscribe', payload: { query, variables } }),
    next: (match, ms = 10_000) => {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(messages).slice(0, 500)}`)), ms);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    result: async (id, ms) => {
      const last = await socket.next((m) => m.id === id && (m.type === 'complete' || m.type === 'error'), ms);
      if (last.type === 'error') return { errors: last.payload };
      return messages.find((m) => m.id === id && m.type === 'next')?.payload;
    },
    close: () => ws.close(),
  };
  return socket;
}
