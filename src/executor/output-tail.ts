/** Keeps the last lines of a step's combined output for its error message, within a byte bound. */

const MAX_BYTES = 64 * 1024;

export interface OutputTail {
  push(chunk: Buffer): void;
  lines(count: number): string[];
}

export function createOutputTail(): OutputTail {
  let buffer = Buffer.alloc(0);
  return {
    push(chunk: Buffer): void {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_BYTES) buffer = buffer.subarray(buffer.length - MAX_BYTES);
    },
    lines(count: number): string[] {
      const text = buffer.toString('utf8').replace(/\n$/, '');
      if (text === '') return [];
      return text.split('\n').slice(-count);
    },
  };
}
