import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A transparent TCP proxy in front of PostgreSQL that counts the SQL statements its clients
 * run, by reading the frontend protocol: every simple Query ('Q') and every Execute ('E') of
 * the extended protocol is one statement. The text of each (from Parse/Bind) sorts them into
 * queries and transaction control (BEGIN, COMMIT, SET, ...).
 *
 * Used only in the counting phase (servers then run again, connected directly, for the load),
 * so it costs nothing in the measured numbers. It counts whatever any server does, prepared
 * statements included (PostGraphile prepares its statements), without touching the server.
 */
export interface StatementCounts {
  queries: number;
  control: number;
  /** A few texts seen, for the report (first 200 characters). */
  samples: string[];
}

const CONTROL = /^\s*(begin|start\s+transaction|commit|end|rollback|savepoint|release|set\s|reset\s|deallocate|discard|show\s)/i;

export class PgCounter {
  private server: Server | undefined;
  private counts: StatementCounts = { queries: 0, control: 0, samples: [] };
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly listenPort: number,
    private readonly target: { host: string; port: number },
    /** How many statement texts a snapshot keeps. */
    private readonly sampleLimit = 12,
  ) {}

  start(): Promise<void> {
    this.server = createServer((client) => this.handle(client));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  reset(): void {
    this.counts = { queries: 0, control: 0, samples: [] };
  }

  snapshot(): StatementCounts {
    return { ...this.counts, samples: [...this.counts.samples] };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private record(text: string): void {
    if (CONTROL.test(text)) this.counts.control++;
    else this.counts.queries++;
    if (this.counts.samples.length < this.sampleLimit) this.counts.samples.push(text.replace(/\s+/g, ' ').slice(0, 200));
  }

  private handle(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.pipe(client);

    let buffer: Buffer = Buffer.alloc(0);
    let startup = true; // the first message(s) carry no type byte
    const statements = new Map<string, string>(); // prepared statement name -> text
    const portals = new Map<string, string>(); // portal name -> text
    const cstring = (b: Buffer, at: number): [string, number] => {
      const end = b.indexOf(0, at);
      return [b.toString('utf8', at, end), end + 1];
    };

    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (startup) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          // SSLRequest / GSSENCRequest are followed by the real StartupMessage.
          if (code !== 80877103 && code !== 80877104) startup = false;
          buffer = buffer.subarray(length);
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === 'Q') {
          this.record(cstring(body, 0)[0]);
        } else if (type === 'P') {
          const [name, next] = cstring(body, 0);
          statements.set(name, cstring(body, next)[0]);
        } else if (type === 'B') {
          const [portal, next] = cstring(body, 0);
          portals.set(portal, statements.get(cstring(body, next)[0]) ?? '?');
        } else if (type === 'E') {
          this.record(portals.get(cstring(body, 0)[0]) ?? '?');
        }
      }
    });
  }
}
