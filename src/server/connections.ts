import type WebSocket from 'ws';
import type { Revocation } from '../events/notifier';
import type { Viewer } from './context';

/** The close code of a socket whose credentials are gone (graphql-ws clients do not retry it). */
export const UNAUTHORIZED = 4401;

/**
 * The open WebSockets of this instance, by whose credentials they run on, so that a socket
 * lives no longer than them: removing a person closes their sockets (those with a key of the
 * workspace they left, and every one signed in as them), revoking a key closes its sockets. The
 * revocation reaches the other instances through the notifier (`broadcast`).
 */
export class Connections {
  private readonly open = new Map<WebSocket, Viewer>();
  private broadcast: (revocation: Revocation) => Promise<void> = async () => undefined;

  /** How revocations reach the other instances (the job feed's notifier). */
  publishWith(broadcast: (revocation: Revocation) => Promise<void>): void {
    this.broadcast = broadcast;
  }

  add(socket: WebSocket, viewer: Viewer): void {
    this.open.set(socket, viewer);
  }

  remove(socket: WebSocket): void {
    this.open.delete(socket);
  }

  /** After the commit that took the credentials away: here at once, elsewhere through the notifier. */
  revoke(revocation: Revocation): void {
    this.closeHere(revocation);
    void this.broadcast(revocation).catch(() => undefined); // the others' own checks catch what a lost notification misses
  }

  /** Closes the sockets of this instance that run on revoked credentials; answers how many. */
  closeHere(revocation: Revocation): number {
    let closed = 0;
    for (const [socket, viewer] of this.open) {
      const key = viewer.apiKey;
      const hit =
        'apiKeyId' in revocation
          ? key?.id === revocation.apiKeyId
          : viewer.userId === revocation.userId && (!key || key.workspaceId === revocation.workspaceId);
      if (!hit) continue;
      this.open.delete(socket);
      socket.close(UNAUTHORIZED, 'Unauthorized: these credentials were revoked');
      closed += 1;
    }
    return closed;
  }

  get size(): number {
    return this.open.size;
  }
}
