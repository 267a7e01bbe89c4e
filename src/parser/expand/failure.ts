/** An expansion failure inside the word processor; the public API turns it into a located TsbuildError. */
export class ExpandFailure extends Error {
  override name = 'ExpandFailure';
}
