/** `parseArgs`: docker build's flags mapped onto the library's options through the flag table. */
import { describe, expect, it } from 'vitest';
import { BUILD_FLAGS } from '../../src/cli/build/flags.ts';
import { parseArgs } from '../../src/cli/build/parse-args.ts';
import { hostPlatform, isTsbuildError } from '../../src/index.ts';

const env = { HOME: '/root' } as NodeJS.ProcessEnv;

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseArgs(argv, env);
  } catch (error) {
    expect(isTsbuildError(error, 'USAGE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`parseArgs(${argv.join(' ')}) did not fail`);
}

describe('parseArgs', () => {
  it('maps `tsbuild -t my-httpd .` and its `build` form to the same options', () => {
    const short = parseArgs(['-t', 'my-httpd', '.'], env);
    const long = parseArgs(['build', '--tag', 'my-httpd', '.'], env);
    expect(short).toEqual(long);
    expect(short.options).toEqual({ context: '.', tags: ['my-httpd'] });
    expect(short.settings).toEqual({ progress: 'auto', check: false, explain: false });
  });

  it('takes every docker build flag', () => {
    const { options, settings } = parseArgs(
      [
        '-t',
        'a',
        '-t',
        'b:1',
        '-f',
        'docker/Dockerfile',
        '--build-arg',
        'X=1',
        '--build-arg',
        'FROM_ENV',
        '--target',
        'test',
        '--no-cache',
        '--no-cache-filter',
        'build',
        '--pull',
        '--progress',
        'plain',
        '-o',
        'type=oci,dest=out.tar,compression=zstd',
        '--push',
        '--secret',
        'id=npmrc,src=/tmp/npmrc',
        '--ssh',
        'default=/tmp/agent.sock',
        '--network',
        'none',
        '--label',
        'org.example=1',
        '--platform',
        `${hostPlatform().os}/${hostPlatform().architecture}`,
        '--iidfile',
        'id.txt',
        '--metadata-file',
        'meta.json',
        '--explain',
        '--max-parallelism',
        '2',
        '--memory',
        '512m',
        '--source-date-epoch',
        '1700000000',
        'ctx',
      ],
      { FROM_ENV: 'yes' },
    );
    expect(options).toEqual({
      context: 'ctx',
      tags: ['a', 'b:1'],
      dockerfile: 'docker/Dockerfile',
      buildArgs: { X: '1', FROM_ENV: 'yes' },
      target: 'test',
      noCache: true,
      noCacheFilter: ['build'],
      pull: 'always',
      outputs: [{ type: 'oci', dest: 'out.tar', compression: 'zstd' }],
      push: true,
      secrets: [{ id: 'npmrc', src: '/tmp/npmrc' }],
      ssh: { default: '/tmp/agent.sock' },
      network: 'none',
      labels: { 'org.example': '1' },
      platform: `${hostPlatform().os}/${hostPlatform().architecture}`,
      maxParallelism: 2,
      memoryBytes: 512 * 1024 * 1024,
      sourceDateEpoch: 1700000000,
    });
    expect(settings).toEqual({
      progress: 'plain',
      iidfile: 'id.txt',
      metadataFile: 'meta.json',
      check: false,
      explain: true,
    });
  });

  it('reads docker build output shorthands and -q', () => {
    expect(parseArgs(['-o', 'out', '.'], env).options.outputs).toEqual([{ type: 'local', dest: 'out' }]);
    expect(parseArgs(['-o', '-', '.'], env).options.outputs).toEqual([{ type: 'tar', dest: '-' }]);
    expect(parseArgs(['-o', 'type=image,push=true', '.'], env).options.outputs).toEqual([
      { type: 'image', push: true },
    ]);
    expect(parseArgs(['-q', '.'], env).settings.progress).toBe('quiet');
    expect(parseArgs(['-t', 'a', '-'], env).options).toEqual({ context: '-', tags: ['a'] });
    expect(parseArgs(['-f', '-', 'ctx'], env).options).toEqual({ context: 'ctx', dockerfile: '-' });
    expect(parseArgs(['--pull=never', '.'], env).options.pull).toBe('never');
    expect(parseArgs(['--check', '.'], env).settings.check).toBe(true);
    expect(parseArgs(['--platform', 'arm64', '.'], env).options.platform).toBe('linux/arm64');
  });

  it('takes SOURCE_DATE_EPOCH from the environment unless the flag is given', () => {
    expect(parseArgs(['.'], { SOURCE_DATE_EPOCH: '42' }).options.sourceDateEpoch).toBe(42);
    expect(
      parseArgs(['--source-date-epoch', '7', '.'], { SOURCE_DATE_EPOCH: '42' }).options.sourceDateEpoch,
    ).toBe(7);
  });

  it('refuses what it cannot do, with the flag in the message', () => {
    expect(usageError(['-o', 'type=oci', '.'])).toMatch(/type=oci needs dest=PATH/);
    expect(usageError(['-o', 'type=ftp,dest=x', '.'])).toMatch(/unknown type ftp/);
    expect(usageError(['--secret', 'src=/x', '.'])).toMatch(/id= is required/);
    expect(usageError(['--pull=sometimes', '.'])).toMatch(/expected always, missing or never/);
    expect(usageError(['--max-parallelism', '0', '.'])).toMatch(/--max-parallelism 0/);
    expect(usageError(['--memory', 'lots', '.'])).toMatch(/--memory lots: not a size/);
    expect(usageError(['.', '--bogus'])).toMatch(/Unknown argument: bogus/);
    expect(usageError([])).toMatch(/needs a build context/);
    expect(usageError(['-f', '-', '-'])).toMatch(/cannot both come from standard input/);
    expect(usageError(['--ssh', 'default', '.'], {})).toMatch(/no agent socket/);
  });
});

describe('the flag table', () => {
  it('names a flag, the positional, or a reason for every library option', () => {
    for (const [key, spec] of Object.entries(BUILD_FLAGS)) {
      if (spec.kind === 'not-a-flag') expect(spec.why, key).not.toBe('');
      else expect(spec.name, key).toMatch(/^[a-z][a-z-]*$/);
    }
  });

  it('gives each flag one library option', () => {
    const names = Object.values(BUILD_FLAGS).flatMap((s) => (s.kind === 'flag' ? [s.name] : []));
    expect(new Set(names).size).toBe(names.length);
  });
});
