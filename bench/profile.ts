import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by where the code
 * lives (a package under node_modules, the project's src/, node's internals, GC, idle).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Busy time: total minus (idle). */
  busyMs: number;
  byFunction: Array<{ name: string; where: string; ms: number; pct: number }>;
  byPlace: Array<{ place: string; ms: number; pct: number }>;
}

export function placeOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'node internals (' + url.replace(/^node:(internal\/)?/, '').split('/')[0] + ')';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return 'service src/' + url.slice(src + '/dist/src/'.length).split('/').slice(0, -1).join('/');
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const place = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    const where = placeOf(url, functionName);
    if (where === 'idle') idle += us;
    place.set(where, (place.get(where) ?? 0) + us);
    const file = url ? url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/').replace(/^file:\/\//, '') : '';
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    const entry = fn.get(key) ?? { name: functionName || '(anonymous)', where: file ? `${file}:${lineNumber + 1}` : where, us: 0 };
    entry.us += us;
    fn.set(key, entry);
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((1000 * us) / busy) / 10;
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    byFunction: [...fn.values()]
      .filter((f) => f.where !== 'idle')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, pct: pct(f.us) })),
    byPlace: [...place.entries()]
      .filter(([p]) => p !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([p, us]) => ({ place: p, ms: us / 1000, pct: pct(us) })),
  };
}

if (require.main === module) {
  const summary = summariseProfile(process.argv[2], Number(process.argv[3] ?? 40));
  console.log(`busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms`);
  for (const p of summary.byPlace) console.log(`${p.pct.toFixed(1).padStart(5)}%  ${p.ms.toFixed(0).padStart(7)} ms  ${p.place}`);
  console.log('');
  for (const f of summary.byFunction) console.log(`${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
}

/**
 * Profiles a running node process between two moments, through the inspector protocol (the
 * child runs with --inspect=127.0.0.1:<port>): unlike --cpu-prof, start-up and shutdown stay out.
 */
export async function attachProfiler(inspectPort: number): Promise<{ stop(file: string): Promise<void> }> {
  const { WebSocket } = await import('ws');
  const deadline = Date.now() + 10_000;
  let targets: Array<{ webSocketDebuggerUrl: string }> = [];
  while (!targets.length) {
    try {
      targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as typeof targets;
    } catch {
      if (Date.now() > deadline) throw new Error('the inspector did not answer');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, (result: any) => void>();
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 500 });
  await send('Profiler.start');
  return {
    stop: async (file: string) => {
      const { profile } = await send('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      socket.close();
    },
  };
}
