/**
 * Cross-process shared/exclusive holds on a directory, for cache mounts' sharing modes. A hold is
 * a file named after its owner (pid + start time) in `<dir>.holders/`: no daemon, no flock, and a
 * crashed holder is recognised (its process is gone) and ignored.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { currentOwner, isOwnerAlive } from '../owner.ts';

export type HoldMode = 'shared' | 'exclusive';

export interface Hold {
  release(): Promise<void>;
}

interface Holder {
  readonly pid: number;
  readonly startTime: string;
  readonly mode: HoldMode;
}

function parseHolder(name: string): Holder | undefined {
  const match = /^([0-9]+)-([0-9]+)-[0-9a-f]+\.(shared|exclusive)$/.exec(name);
  if (match === null) return undefined;
  return { pid: Number(match[1]), startTime: match[2]!, mode: match[3] as HoldMode };
}

export function holdersDir(dir: string): string {
  return `${dir}.holders`;
}

/** Takes a hold if no live holder conflicts with it; undefined otherwise. */
export async function tryHold(dir: string, mode: HoldMode): Promise<Hold | undefined> {
  const holders = holdersDir(dir);
  await mkdir(holders, { recursive: true });
  const owner = currentOwner();
  const mine = `${owner.pid}-${owner.startTime}-${randomBytes(4).toString('hex')}.${mode}`;
  await writeFile(join(holders, mine), '');
  // Announce first, then look: two racing holders both see each other and both back off.
  for (const name of await readdir(holders)) {
    if (name === mine) continue;
    const other = parseHolder(name);
    if (other === undefined || !isOwnerAlive(other)) {
      await rm(join(holders, name), { force: true });
      continue;
    }
    if (mode === 'exclusive' || other.mode === 'exclusive') {
      await rm(join(holders, mine), { force: true });
      return undefined;
    }
  }
  return { release: () => rm(join(holders, mine), { force: true }) };
}

/** Waits (polling, with jitter so racing waiters do not collide forever) until the hold is granted. */
export async function hold(
  dir: string,
  mode: HoldMode,
  signal: AbortSignal | undefined,
  what: string,
): Promise<Hold> {
  for (;;) {
    if (signal?.aborted) throw new TsbuildError('CANCELLED', `Cancelled while waiting for ${what}`);
    const granted = await tryHold(dir, mode);
    if (granted !== undefined) return granted;
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
  }
}
