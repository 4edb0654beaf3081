import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';

/** One instance of the built service (`node dist/src/main.js`) on a fixed port, started again on the same port. */
export class Instance {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [resolve(__dirname, '../../src/main.js')], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.exited = new Promise((done) => child.once('exit', () => done()));
    this.child = child;
  }

  /** Until its own /readyz answers 200 (straight to the instance, as a deploy tool would ask). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode != null) throw new Error(`${this.name} exited (code ${this.child.exitCode}): see ${this.logFile}`);
      const res = await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** SIGTERM and wait for the exit (the drain, then the close). */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  async gone(): Promise<void> {
    await this.exited;
  }
}
