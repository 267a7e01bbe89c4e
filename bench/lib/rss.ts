/**
 * Peak memory of a process tree, sampled from /proc: the largest sum of resident set sizes seen
 * over the tree (plus any daemons doing the work), and the largest single process. Sampling every
 * 100 ms can miss short spikes of the sum; the single-process figure uses VmHWM (the kernel's own
 * high-water mark) of processes born during the measurement, so it does not miss them.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface RssPeak {
  /** Largest sampled sum of VmRSS over the tree and the daemons, in MB. */
  readonly totalMb: number;
  /** Largest resident size of one process of the measured tree, in MB. */
  readonly processMb: number;
}

export interface RssSampler {
  stop(): Promise<RssPeak>;
}

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
}

async function processes(): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses; fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(fields[1]) });
    } catch {
      // the process exited between readdir and read
    }
  }
  return out;
}

function descendants(all: readonly ProcInfo[], roots: readonly number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return seen;
}

async function memoryKb(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * Samples until stopped. `measured` is the root of the measured command (itself excluded: it is
 * the timer); `daemons` are long-running engine processes whose whole trees count too.
 */
export function startRssSampler(
  measured: number,
  daemons: () => readonly number[],
  intervalMs = 100,
): RssSampler {
  let totalKb = 0;
  let processKb = 0;
  let stopped = false;
  const sample = async (): Promise<void> => {
    const all = await processes();
    const tree = descendants(all, [measured]);
    tree.delete(measured);
    const daemonTree = descendants(all, daemons());
    let sum = 0;
    for (const pid of new Set([...tree, ...daemonTree])) {
      const mem = await memoryKb(pid);
      if (mem === undefined) continue;
      sum += mem.rss;
      if (tree.has(pid)) processKb = Math.max(processKb, mem.hwm);
    }
    totalKb = Math.max(totalKb, sum);
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { totalMb: totalKb / 1024, processMb: processKb / 1024 };
    },
  };
}
