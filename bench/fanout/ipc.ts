import type { ChildProcess } from 'node:child_process';

/** Request/answer over a forked child's IPC channel: `{ id, cmd, ...args }` -> `{ id, ok, value | error }`. */
export interface Caller {
  call<T = any>(cmd: string, args?: Record<string, unknown>): Promise<T>;
}

export function caller(child: ChildProcess): Caller {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  child.on('message', (message: any) => {
    const w = waiting.get(message?.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.ok) w.resolve(message.value);
    else w.reject(new Error(message.error));
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`child exited (${code})`));
    waiting.clear();
  });
  return {
    call: (cmd, args = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        child.send({ id, cmd, ...args });
      }),
  };
}

/** In the child: answers the parent's calls with the handlers. */
export function serve(handlers: Record<string, (args: any) => unknown>): void {
  process.on('message', async (message: any) => {
    const handler = handlers[message?.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${message?.cmd}`);
      const value = await handler(message);
      process.send!({ id: message.id, ok: true, value });
    } catch (error) {
      process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
}
