/** The ink component of the live view: paints layout()'s lines, ticking while the build runs. */
import { Box, Text, useWindowSize } from 'ink';
import { useEffect, useState } from 'react';
import type { ProgressState } from '../model.ts';
import { layout, SPINNER, type Tone } from './layout.ts';

export interface ViewProps {
  readonly state: ProgressState;
  readonly final: boolean;
  readonly tags: readonly string[];
  /** The clock the model's times come from. */
  readonly clock: () => number;
  readonly notice?: string;
  readonly explain?: boolean;
}

const TONES: Readonly<Record<Tone, { color?: string; dimColor?: boolean; bold?: boolean }>> = {
  header: { bold: true },
  normal: {},
  running: {},
  done: { color: 'blue' },
  waiting: { dimColor: true },
  error: { color: 'red' },
  log: { dimColor: true },
  summary: { bold: true },
};

export function View({ state, final, tags, clock, notice, explain }: ViewProps) {
  const { columns, rows } = useWindowSize();
  const [now, setNow] = useState(clock);
  useEffect(() => {
    if (final) return undefined;
    const timer = setInterval(() => setNow(clock()), 100);
    return () => clearInterval(timer);
  }, [final, clock]);
  const time = Math.max(now, clock());
  const lines = layout(state, {
    now: time,
    columns: Math.max(20, columns),
    rows: Math.max(3, rows),
    spinner: SPINNER[Math.floor(time / 80) % SPINNER.length]!,
    final,
    tags,
    ...(notice !== undefined && { notice }),
    ...(explain !== undefined && { explain }),
  });
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        // Lines are positional rows of one frame; the index is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of a frame have no other key
        <Text key={i} wrap="truncate-end" {...TONES[line.tone]}>
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
