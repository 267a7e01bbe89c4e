/**
 * Who owns a leftover (bundle, active snapshot, cache lock): a pid plus that process's start time,
 * so a recycled pid is never mistaken for the process that made the leftover.
 */
import { readFileSync } from 'node:fs';

export interface Owner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot). */
  readonly startTime: string;
}

function startTimeOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

let self: Owner | undefined;

export function currentOwner(): Owner {
  if (self === undefined) {
    self = { pid: process.pid, startTime: startTimeOf(process.pid) ?? '0' };
  }
  return self;
}

/** Whether a process with this pid exists, for leftovers named by pid alone (EPERM: it does). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isOwnerAlive(owner: Owner | undefined): boolean {
  if (owner === undefined || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  return startTimeOf(owner.pid) === owner.startTime;
}

export function isOwner(value: unknown): value is Owner {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.pid === 'number' && typeof candidate.startTime === 'string';
}
