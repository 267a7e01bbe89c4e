/**
 * Human output for diagnostics, as the CLI prints them:
 *
 *   Dockerfile:3:1: unknown instruction: RUNN
 *       3 | RUNN echo hi
 *         | ^^^^
 *     hint: did you mean RUN?
 */
import type { Diagnostic } from './ast.ts';
import { createSourceIndex } from './source-index.ts';

/** Leading text of a line with everything but tabs blanked, so a caret lines up under it. */
function padFor(prefix: string): string {
  let out = '';
  for (const ch of prefix) out += ch === '\t' ? '\t' : ' ';
  return out;
}

export function formatDiagnostic(d: Diagnostic, sourceText: string, file = 'Dockerfile'): string {
  const { line, column } = d.range.start;
  const label = d.severity === 'warning' ? 'warning: ' : '';
  const code = d.code.startsWith('DF_') ? '' : ` [${d.code}]`;
  const out = [`${file}:${line}:${column}: ${label}${d.message}${code}`];
  const text = createSourceIndex(sourceText).lineText(line);
  if (text !== '' || d.range.start.offset < sourceText.length) {
    const gutter = String(line).padStart(5);
    const startCol = Math.min(column - 1, text.length);
    const endCol = d.range.end.line === line ? Math.min(d.range.end.column - 1, text.length) : text.length;
    const width = Math.max(1, endCol - startCol);
    out.push(`${gutter} | ${text}`);
    out.push(`${' '.repeat(gutter.length)} | ${padFor(text.slice(0, startCol))}${'^'.repeat(width)}`);
  }
  if (d.hint !== undefined) out.push(`  hint: ${d.hint}`);
  return out.join('\n');
}
