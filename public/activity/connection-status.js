// The header's connection indicator: the feed's state, a countdown to the next attempt, "Retry now".

const TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  'catching-up': 'Catching up…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Not connected',
};

export class ConnectionStatus {
  #state = 'idle';
  #retryAt = 0;
  #timer = null;

  /** onRetryNow: the "Retry now" button was pressed. */
  constructor({ onRetryNow }) {
    this.box = document.getElementById('connection');
    this.label = document.getElementById('connection-label');
    this.countdown = document.getElementById('connection-countdown');
    this.retryNow = document.getElementById('retry-now');
    this.retryNow.addEventListener('click', onRetryNow);
  }

  /** A JobFeed state; with retryInMs, the wait before the next attempt. */
  show({ state, retryInMs }) {
    clearTimeout(this.#timer);
    this.#state = state;
    this.#retryAt = retryInMs === undefined ? 0 : Date.now() + retryInMs;
    this.box.dataset.state = state;
    this.retryNow.hidden = !this.#waiting();
    this.#render();
  }

  #waiting() {
    return this.#state === 'reconnecting' && this.#retryAt > 0;
  }

  /**
   * The state, and while waiting "retrying in 17 s", recounted the moment each second ends. The
   * count is hidden from screen readers: the live region would read it out every second.
   */
  #render() {
    const waiting = this.#waiting();
    const left = this.#retryAt - Date.now();
    const label = waiting ? 'Connection lost' : TEXT[this.#state];
    if (this.label.textContent !== label) this.label.textContent = label;
    this.countdown.textContent = waiting ? ` · retrying in ${Math.max(1, Math.ceil(left / 1000))} s` : '';
    if (waiting && left > 1000) this.#timer = setTimeout(() => this.#render(), left % 1000 || 1000);
  }
}
