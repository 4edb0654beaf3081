import pino from 'pino';
import WebSocket from 'ws';
import { startService } from '../../src/bootstrap';
import { freshDatabase, testConfig } from '../support/harness';

// A stop a balancer can follow: /readyz says 503 first while everything is still served for
// SHUTDOWN_DRAIN_MS, then sockets close with 1012 (Service Restart) so clients reconnect at once.
it('drains: /readyz 503 at once, requests still served, then sockets closed with 1012', async () => {
  const fresh = await freshDatabase({ migrated: true });
  const service = await startService(testConfig({ SHUTDOWN_DRAIN_MS: '1500' }), pino({ level: 'silent' }), { database: fresh.database, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${service.port}`;
  try {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const socket = new WebSocket(`ws://127.0.0.1:${service.port}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: Date.now() })));

    const stopAt = Date.now();
    const stopping = service.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const answer = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(((await answer.json()) as any).data).toEqual({ __typename: 'Query' });

    const { code, at } = await closed;
    expect(code).toBe(1012);
    expect(at - stopAt).toBeGreaterThanOrEqual(1400); // not before the drain period
    await stopping;
  } finally {
    await fresh.database.close();
    await fresh.drop();
  }
});
