/** Finds the OCI runtime binary: a name looked up on PATH (runc, crun) or an explicit path. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { TsbuildError } from '../errors.ts';

export type RuntimeChoice = 'runc' | 'crun' | (string & {});

export interface Runtime {
  readonly name: string;
  readonly path: string;
}

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findExecutable(name: string): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function resolveRuntime(choice: RuntimeChoice = 'runc'): Promise<Runtime> {
  const path = await findExecutable(choice);
  if (path === undefined) {
    const isPath = choice.includes('/');
    throw new TsbuildError(
      'RUNTIME_MISSING',
      isPath
        ? `OCI runtime ${choice} does not exist or is not executable`
        : `OCI runtime ${choice} is not installed (not found on PATH)`,
      {
        hint: isPath
          ? 'Pass --runtime runc, or the path of an installed OCI runtime.'
          : `Install it: apt-get install -y ${choice === 'crun' ? 'crun' : 'runc'}`,
      },
    );
  }
  const name = choice.includes('/') ? (choice.split('/').pop() ?? choice) : choice;
  return { name, path };
}
