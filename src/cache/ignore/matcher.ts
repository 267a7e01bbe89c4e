import { TsbuildError } from '../../errors.ts';
import { cleanPath, dirPath } from './go-path.ts';
import { compilePattern, type Pattern } from './pattern.ts';

/** An ordered list of Docker patterns; later ones override earlier ones, `!` re-includes. */
export interface PatternMatcher {
  /** Docker's MatchesOrParentMatches: the path, or one of its parent directories, is matched. */
  matches(path: string): boolean;
  /** Whether any `!` pattern exists: then an excluded directory may still hold included files. */
  readonly hasExclusions: boolean;
  readonly patterns: readonly string[];
}

interface Rule {
  readonly exclusion: boolean;
  readonly pattern: Pattern;
}

export function createPatternMatcher(patterns: readonly string[]): PatternMatcher {
  const rules: Rule[] = [];
  for (const raw of patterns) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let cleaned = cleanPath(trimmed);
    const exclusion = cleaned.startsWith('!');
    if (exclusion) {
      if (cleaned.length === 1) {
        throw new TsbuildError('CONTEXT', 'illegal exclusion pattern "!"', {
          hint: 'follow "!" with the path to include again, e.g. "!docs/README.md"',
        });
      }
      cleaned = cleaned.slice(1);
    }
    rules.push({ exclusion, pattern: compilePattern(cleaned) });
  }

  const matches = (path: string): boolean => {
    let matched = false;
    const parent = dirPath(path);
    const parentDirs = parent.split('/');
    for (const rule of rules) {
      // An include rule cannot change an already matched path, nor an exclusion an unmatched one.
      if (rule.exclusion !== matched) continue;
      let match = rule.pattern.match(path);
      if (!match && parent !== '.') {
        for (let i = 1; i <= parentDirs.length && !match; i++) {
          match = rule.pattern.match(parentDirs.slice(0, i).join('/'));
        }
      }
      if (match) matched = !rule.exclusion;
    }
    return matched;
  };

  return { matches, hasExclusions: rules.some((r) => r.exclusion), patterns };
}
