import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { hostOf, isPublicAddress, publicOnlyLookup } from './webhook-address';

export const USER_AGENT = 'workspace-api-webhooks/1';

/** `sha256=<hex>`: HMAC-SHA256 of the exact body, keyed with the webhook's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PostResult = { statusCode: number } | { statusCode: null; error: string };

/**
 * POSTs webhook bodies: keep-alive agents whose lookup refuses private addresses (unless
 * allowed), one timeout over the whole exchange, redirects not followed (a 3xx is an answer
 * like any other non-2xx), the answer's body read and dropped.
 */
export class WebhookHttp {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(private readonly options: { allowPrivate: boolean; timeoutMs: number }) {
    const lookup = options.allowPrivate ? undefined : publicOnlyLookup;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 4, lookup }),
      https: new https.Agent({ keepAlive: true, maxSockets: 4, lookup }),
    };
  }

  post(rawUrl: string, body: string, headers: Record<string, string>): Promise<PostResult> {
    const url = new URL(rawUrl);
    const host = hostOf(url);
    if (!this.options.allowPrivate) {
      // An address in the URL is not looked up: it is checked here instead.
      if (url.protocol !== 'https:') return Promise.resolve({ statusCode: null, error: 'refused: not an https URL' });
      if (isIP(host) && !isPublicAddress(host)) return Promise.resolve({ statusCode: null, error: `refused: ${host} is not a public address` });
    }
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: PostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(request);
        resolve(result);
      };
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      });
      this.inFlight.add(request);
      const timer = setTimeout(() => {
        done({ statusCode: null, error: `no answer within ${this.options.timeoutMs} ms` });
        request.destroy();
      }, this.options.timeoutMs);
      request.on('response', (response) => {
        response.on('error', () => undefined);
        response.on('end', () => done({ statusCode: response.statusCode ?? 0 }));
        response.resume();
      });
      request.on('error', (error: NodeJS.ErrnoException) => done({ statusCode: null, error: (error.message || error.code || 'network error').slice(0, 500) }));
      request.end(body);
    });
  }

  /** Ends what is in flight and the idle connections (shutdown). */
  close(): void {
    for (const request of this.inFlight) request.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
