/** What RUN steps printed, from `--progress=plain` output: `#N 0.3 text` lines, prefix stripped. */
export function runOutput(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^#\d+ +\d+\.\d+ /.test(l))
    .map((l) => l.replace(/^#\d+ +\d+\.\d+ /, ''));
}
