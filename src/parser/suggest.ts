/** "Did you mean ...?" suggestions by Levenshtein distance. */

function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest option (compared case-insensitively), if it is near enough to be
 * a plausible typo: one edit for short words, two for words of four or more.
 */
export function closestMatch(word: string, options: readonly string[]): string | undefined {
  const needle = word.toLowerCase();
  const limit = needle.length >= 4 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const option of options) {
    const d = distance(needle, option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return best;
}
