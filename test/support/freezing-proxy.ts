import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can play a network that silently drops packets:
 * freeze() stops forwarding on every connection open now, both ways, without closing anything
 * (no FIN, no RST: each side's kernel still acknowledges, so each sees a live peer that never
 * answers), while connections made afterwards work normally.
 */
export interface FreezingProxy {
  /** The database URL through the proxy. */
  url: string;
  /** Freezes every established connection; answers how many. */
  freeze(): number;
  /** Connections open now (frozen or not). */
  readonly open: number;
  /** Closes everything, frozen connections included. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
}

export async function startFreezingProxy(databaseUrl: string): Promise<FreezingProxy> {
  const target = new URL(databaseUrl);
  const pairs = new Set<Pair>();
  const forward = (pair: Pair, from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (!pair.frozen) to.write(chunk);
    });
    // A frozen connection's close is lost too, as its packets are.
    from.on('end', () => !pair.frozen && to.end());
    from.on('close', () => {
      if (pair.frozen) return;
      to.destroy();
      pairs.delete(pair);
    });
    from.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    forward(pair, client, upstream);
    forward(pair, upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    freeze: () => {
      for (const pair of pairs) pair.frozen = true;
      return pairs.size;
    },
    get open() {
      return pairs.size;
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
