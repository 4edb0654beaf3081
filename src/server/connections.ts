import { GraphQLError } from 'graphql';
import type WebSocket from 'ws';
import type { Revocation } from '../events/notifier';
import type { Viewer } from './context';
import { AppError, unauthenticated } from './errors';

/** The close code of a socket whose credentials are missing, bad or gone (graphql-ws clients do not retry it). */
export const UNAUTHORIZED = 4401;
/** setTimeout's longest delay (about 24.8 days); a later expiry re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  viewer: Viewer;
  /** Closes the socket when its credentials expire (a token's `exp`, a key's expiresAt). */
  expiry?: NodeJS.Timeout;
}

/**
 * The open WebSockets of this instance, by whose credentials they run on, so that a socket
 * lives no longer than them: a token's or key's expiry closes it, removing a person closes their sockets
 * (those with a key of the workspace they left, and every one signed in as them), revoking a key
 * closes its sockets. The revocation reaches the other instances through the notifier
 * (`broadcast`); until it arrives, `refusal` before each operation refuses it.
 */
export class Connections {
  private readonly open = new Map<WebSocket, Entry>();
  private broadcast: (revocation: Revocation) => Promise<void> = async () => undefined;

  /** How revocations reach the other instances (the job feed's notifier). */
  publishWith(broadcast: (revocation: Revocation) => Promise<void>): void {
    this.broadcast = broadcast;
  }

  add(socket: WebSocket, viewer: Viewer): void {
    if (socket.readyState !== socket.OPEN) return; // closed while signing in: no close event will remove it
    const entry: Entry = { viewer };
    this.open.set(socket, entry);
    if (viewer.expiresAt !== undefined) this.expireAt(socket, entry, viewer.expiresAt);
  }

  remove(socket: WebSocket): void {
    clearTimeout(this.open.get(socket)?.expiry);
    this.open.delete(socket);
  }

  /**
   * Before each operation: null while the socket's credentials hold, checked again with
   * `authenticate` (a key revoked on another instance whose notification is not here yet); else
   * UNAUTHENTICATED, and the socket closes with 4401. The expiry is checked first: a timer may
   * fire late. A check that fails (the database) fails the operation, not the socket.
   */
  async refusal(socket: WebSocket, authenticate: () => Promise<Viewer | null>): Promise<readonly GraphQLError[] | null> {
    const viewer = this.open.get(socket)?.viewer;
    if (viewer && (viewer.expiresAt ?? Infinity) > Date.now()) {
      try {
        const again = await authenticate();
        if (again?.userId === viewer.userId && this.open.has(socket)) return null;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'UNAUTHENTICATED')) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The credentials could not be checked', { originalError: error as Error })];
        }
      }
    }
    this.close(socket, 'Unauthorized: these credentials expired or were revoked');
    return [unauthenticated('These credentials expired or were revoked')];
  }

  /** After the commit that took the credentials away: here at once, elsewhere through the notifier. */
  revoke(revocation: Revocation): void {
    this.closeHere(revocation);
    void this.broadcast(revocation).catch(() => undefined); // the others' own checks catch what a lost notification misses
  }

  /** Closes the sockets of this instance that run on revoked credentials; answers how many. */
  closeHere(revocation: Revocation): number {
    let closed = 0;
    for (const [socket, { viewer }] of this.open) {
      const key = viewer.apiKey;
      const hit =
        'apiKeyId' in revocation
          ? key?.id === revocation.apiKeyId
          : viewer.userId === revocation.userId && (!key || key.workspaceId === revocation.workspaceId);
      if (!hit) continue;
      this.close(socket, 'Unauthorized: these credentials were revoked');
      closed += 1;
    }
    return closed;
  }

  private close(socket: WebSocket, reason: string): void {
    this.remove(socket);
    socket.close(UNAUTHORIZED, reason);
  }

  private expireAt(socket: WebSocket, entry: Entry, expiresAt: number): void {
    entry.expiry = setTimeout(() => {
      if (Date.now() < expiresAt) this.expireAt(socket, entry, expiresAt);
      else this.close(socket, 'Unauthorized: the credentials expired');
    }, Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS));
    entry.expiry.unref();
  }

  get size(): number {
    return this.open.size;
  }
}
