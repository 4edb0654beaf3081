import type { Logger } from 'pino';

export interface Periodic {
  /** Clears the timer and waits for a round in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `round` every `everyMs` on this instance, one round at a time (a round still going is
 * not doubled); a failed round is logged and the next one tries again. The timer does not keep
 * the process alive.
 */
export function periodic(what: string, everyMs: number, log: Logger, round: () => Promise<unknown>): Periodic {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= round()
      .then(
        () => undefined,
        (error) => log.warn({ err: error }, `${what} failed`),
      )
      .finally(() => (running = null));
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
