import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver answers one request: a status, or no answer at all (past the sender's timeout). */
export type Answer = number | 'hang';

export interface Received {
  path: string;
  deliveryId: string;
  signature: string;
  contentType: string;
  userAgent: string;
  body: string;
  json: any;
  /** The attempt of this delivery id, from 1. */
  attempt: number;
  answer: Answer;
}

export interface Receiver {
  url: string;
  readonly requests: Received[];
  /** Delivery ids answered with a 2xx, in the order they were answered. */
  delivered(path?: string): string[];
  until(done: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 answering as `plan` says (it may wait: the test holds an attempt open). */
export async function startReceiver(plan: (deliveryId: string, attempt: number, path: string) => Answer | Promise<Answer> = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const deliveryId = String(req.headers['x-delivery-id']);
      const attempt = (attempts.get(deliveryId) ?? 0) + 1;
      attempts.set(deliveryId, attempt);
      const entry: Received = {
        path: req.url ?? '/',
        deliveryId,
        signature: String(req.headers['x-signature-256']),
        contentType: String(req.headers['content-type']),
        userAgent: String(req.headers['user-agent']),
        body,
        json: JSON.parse(body),
        attempt,
        answer: 'hang',
      };
      requests.push(entry);
      entry.answer = await plan(deliveryId, attempt, entry.path);
      if (entry.answer !== 'hang') res.writeHead(entry.answer).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    delivered: (path) => requests.filter((r) => typeof r.answer === 'number' && r.answer < 300 && (!path || r.path === path)).map((r) => r.deliveryId),
    until: async (done, what, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${requests.length} requests so far)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How a receiver checks a body: HMAC-SHA256 with the webhook's secret, compared in constant time. */
export function validSignature(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The seq inside a cursor (tests only). */
export const seqOf = (cursor: string): number => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))[1];

export const CREATE_WEBHOOK = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url statuses types createdAt } } }`;
export const DELETE_WEBHOOK = `mutation($id: ID!) { deleteWebhook(id: $id) }`;
export const WEBHOOKS = `query($w: ID!, $first: Int, $after: String) { workspace(id: $w) { webhooks { id url statuses types
  deliveries(first: $first, after: $after) { nodes { id eventCursor status attempts lastStatusCode lastError nextAttemptAt deliveredAt } pageInfo { hasNextPage endCursor } } } } }`;

/** Settings that make the sender quick to retry and to give up waiting (tests). */
export const FAST_WEBHOOKS = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  // Long enough that an answering receiver in this process is never cut short, even while
  // embedded PGlite holds the event loop on a loaded machine; a 'hang' costs this much.
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '200',
  WEBHOOK_POLL_MS: '200',
  RATE_LIMIT_POINTS: '0',
};
