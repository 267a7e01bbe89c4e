import { describe, expect, it } from 'vitest';
import { separateRunCommand } from '../../src/cli/commands/run.ts';

describe('tsbuild run: words after IMAGE belong to the command', () => {
  it.each([
    [
      ['run', 'img', 'sh', '-c', 'x'],
      ['run', 'img', '--', 'sh', '-c', 'x'],
    ],
    [
      ['--root', '/r', 'run', '--rm', '-e', 'A=1', 'img', 'ls', '-la'],
      ['--root', '/r', 'run', '--rm', '-e', 'A=1', 'img', '--', 'ls', '-la'],
    ],
    [
      ['run', '-w', '/tmp', 'img'],
      ['run', '-w', '/tmp', 'img', '--'],
    ],
    [
      ['build', '-t', 'run', '.'],
      ['build', '-t', 'run', '.'],
    ],
    [['images'], ['images']],
  ])('%j', (argv, expected) => {
    expect(separateRunCommand(argv)).toEqual(expected);
  });
});
