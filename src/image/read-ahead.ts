/**
 * Writing many small files into a stream is bound by one-at-a-time syscall round trips, not by
 * bandwidth: `prepare` (which starts a file's read) runs up to `window` items ahead of the
 * consumer, and the prepared items come out in order.
 */
export async function* readAhead<T, P>(
  items: AsyncIterable<T> | Iterable<T>,
  window: number,
  prepare: (item: T) => P,
): AsyncGenerator<P> {
  const pending: P[] = [];
  for await (const item of items) {
    pending.push(prepare(item));
    if (pending.length >= window) yield pending.shift()!;
  }
  yield* pending;
}
