// The live feed of a workspace's jobs, resumable across lost connections.
import { JOB_EVENTS, WS_URL } from './api.js';

const MAX_DELAY_MS = 15_000;
/** After a reconnect, this long without an event also counts as caught up (the last events may be ones the viewer does not see). */
const QUIET_MS = 1_000;
/** Close codes after which trying again cannot help: the token was refused. */
const FATAL_CLOSE = new Map([[4401, 'The service refused the token: it may be invalid, expired or revoked.']]);

/**
 * Subscribes to jobEvents from a cursor and keeps the cursor of the last event it delivered.
 * When the socket drops, it waits (backoff with jitter), connects again and subscribes with
 * `after: <that cursor>`: the service replays every change made meanwhile, so nothing is lost
 * and nothing comes twice. Each connection is a fresh graphql-ws client with its own retries
 * off: the client's own retry would re-send the first subscription, with its stale cursor.
 *
 * After a reconnect the feed is 'catching-up' until it has delivered the event at the feed's
 * head as `head()` reads it then (or, for events the viewer does not see, until it goes quiet).
 *
 * Callbacks: onEvent(event), onState({ state: 'connecting' | 'catching-up' | 'live' | 'reconnecting'
 * | 'stopped', retryInMs? }) (reconnecting with retryInMs: waiting that long; without: trying),
 * onResync() when the cursor is too old (reload the list, start again), onFatal(message) when
 * nothing but the user can fix it; head() resolves to the feed's current cursor.
 */
export class JobFeed {
  #client = null;
  #unsubscribe = null;
  #timer = null;
  #attempt = 0;
  #stopped = false;
  /** While catching up: the cursor to reach, and the quiet timer. */
  #catchUp = null;

  constructor({ token, workspaceId, cursor, onEvent, onState, onResync, onFatal, head }) {
    Object.assign(this, { token, workspaceId, cursor, onEvent, onState, onResync, onFatal, head });
    this.retryNow = this.retryNow.bind(this);
  }

  start() {
    window.addEventListener('online', this.retryNow);
    this.#connect();
    return this;
  }

  stop() {
    this.#stopped = true;
    window.removeEventListener('online', this.retryNow);
    clearTimeout(this.#timer);
    this.#close();
    this.onState({ state: 'stopped' });
  }

  /** Skips the wait of a pending reconnect (the browser is back online, or "Retry now"). */
  retryNow() {
    if (this.#stopped || this.#client || !this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#connect();
  }

  #connect() {
    this.#timer = null;
    this.onState({ state: this.#attempt === 0 ? 'connecting' : 'reconnecting' });
    const client = graphqlWs.createClient({
      url: WS_URL,
      lazy: true,
      retryAttempts: 0,
      keepAlive: 20_000,
      connectionParams: { authorization: `Bearer ${this.token}` },
      on: {
        connected: () => {
          if (client !== this.#client) return;
          const resumed = this.#attempt > 0;
          this.#attempt = 0;
          if (resumed) this.#startCatchUp(client);
          else this.onState({ state: 'live' });
        },
        closed: (event) => this.#dropped(client, event),
      },
    });
    this.#client = client;
    this.#unsubscribe = client.subscribe(
      { query: JOB_EVENTS, variables: { workspaceId: this.workspaceId, after: this.cursor } },
      {
        next: (result) => {
          if (client !== this.#client) return;
          if (result.errors?.length) return this.#dropped(client, result.errors);
          const event = result.data.jobEvents;
          this.cursor = event.cursor;
          this.onEvent(event);
          this.#checkCaughtUp();
        },
        error: (error) => this.#dropped(client, error),
        // The service ended the feed (it is stopping): resume from the cursor like after a drop.
        complete: () => this.#dropped(client, null),
      },
    );
  }

  /** Reads the head, then waits to have delivered it (or, head unknown or unseen, for a quiet second). */
  #startCatchUp(client) {
    this.#catchUp = { head: undefined, quiet: null };
    this.onState({ state: 'catching-up' });
    this.#checkCaughtUp();
    Promise.resolve(this.head?.())
      .catch(() => null)
      .then((head) => {
        if (client !== this.#client || !this.#catchUp) return;
        this.#catchUp.head = head ?? null;
        this.#checkCaughtUp();
      });
  }

  #checkCaughtUp() {
    const catchUp = this.#catchUp;
    if (!catchUp) return;
    if (catchUp.head === undefined) return; // the head is still being read
    if (catchUp.head === this.cursor) return this.#caughtUp();
    clearTimeout(catchUp.quiet);
    catchUp.quiet = setTimeout(() => this.#caughtUp(), QUIET_MS);
  }

  #caughtUp() {
    if (!this.#catchUp) return;
    clearTimeout(this.#catchUp.quiet);
    this.#catchUp = null;
    this.onState({ state: 'live' });
  }

  #close() {
    if (this.#catchUp) clearTimeout(this.#catchUp.quiet);
    this.#catchUp = null;
    const client = this.#client;
    this.#client = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    client?.dispose();
  }

  /** The connection or the subscription ended: decide between resync, giving up, and trying again. */
  #dropped(client, reason) {
    if (client !== this.#client || this.#stopped) return;
    this.#close();
    const errors = Array.isArray(reason) ? reason : null;
    const code = errors?.[0]?.extensions?.code;
    if (code === 'RESYNC_REQUIRED') return this.onResync();
    if (code === 'UNAUTHENTICATED' || code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'BAD_USER_INPUT') {
      this.#stopped = true;
      return this.onFatal(errors[0].message);
    }
    if (reason && FATAL_CLOSE.has(reason.code)) {
      this.#stopped = true;
      return this.onFatal(FATAL_CLOSE.get(reason.code));
    }
    this.#attempt += 1;
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** (this.#attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() / 2));
    this.onState({ state: 'reconnecting', retryInMs: delay, attempt: this.#attempt });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}
