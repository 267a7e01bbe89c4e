import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A tiny runnable root filesystem from the host's busybox-static (Debian package), as a tarball:
 * /bin/busybox, sh/cat/echo/ls as symlinks, /etc/passwd and /etc/group.
 */
export async function busyboxRootfsTar(dir: string): Promise<string> {
  const rootfs = path.join(dir, 'busybox-rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await mkdir(path.join(rootfs, 'etc'));
  await mkdir(path.join(rootfs, 'tmp'), { mode: 0o1777 });
  await copyFile('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'cat', 'echo', 'ls'])
    await symlink('busybox', path.join(rootfs, 'bin', applet));
  await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\n');
  const tarball = path.join(dir, 'busybox-rootfs.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', tarball, '.']);
  return tarball;
}

export const hasBusybox = (() => {
  try {
    execFileSync('/bin/busybox', ['true']);
    return true;
  } catch {
    return false;
  }
})();

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
