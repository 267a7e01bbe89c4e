/**
 * The umask rule. A file's group/other write bits depend on the umask of whoever checked it out
 * (002 on many desktops, 022 on CI), not on what the author meant, and BuildKit users lose their
 * cache to it. tsbuild therefore clears group/other write (`mode & ~0o022`) for context files and
 * directories, in the key AND in the layer (the COPY op applies the same function), so a key always
 * describes the files written. Owner bits, execute bits and setuid/setgid/sticky are kept. To ship
 * group-writable files on purpose, say so with `--chmod` (applied after this rule).
 */
export function normaliseMode(mode: number): number {
  return mode & 0o7755;
}
