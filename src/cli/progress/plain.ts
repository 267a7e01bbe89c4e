/**
 * BuildKit's plain progress output: every step numbered `#N` on first sight,
 * its output lines prefixed with `#N <seconds>`, and `#N CACHED` or
 * `#N DONE 0.3s` when it ends. Meant for CI logs and non-TTY output.
 */
import type { BuildEvent } from '../../index.ts';

export interface PlainReporterOptions {
  readonly write: (text: string) => void;
  /** Print why each step that ran missed the cache. */
  readonly explain?: boolean;
}

interface Tracked {
  readonly n: number;
  readonly startedAt: number;
  /** The unfinished last line of each stream: stdout and stderr interleave only at line ends. */
  readonly partial: { stdout: string; stderr: string };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createPlainReporter(options: PlainReporterOptions): (event: BuildEvent) => void {
  const ids = new Map<string, Tracked>();
  const warnings: string[] = [];
  let next = 1;
  const { write } = options;

  const track = (id: string, name: string): Tracked => {
    let t = ids.get(id);
    if (t === undefined) {
      t = { n: next++, startedAt: performance.now(), partial: { stdout: '', stderr: '' } };
      ids.set(id, t);
      write(`#${t.n} ${name}\n`);
    }
    return t;
  };
  const flush = (t: Tracked) => {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (t.partial[stream] === '') continue;
      write(`#${t.n} ${seconds(performance.now() - t.startedAt).padStart(5)} ${t.partial[stream]}\n`);
      t.partial[stream] = '';
    }
  };
  const end = (t: Tracked, text: string) => {
    flush(t);
    write(`#${t.n} ${text}\n\n`);
  };

  return (event) => {
    switch (event.type) {
      case 'phase.started':
        track(event.phase.id, event.phase.name);
        break;
      case 'phase.completed':
        end(
          track(event.phase.id, event.phase.name),
          event.cached === true ? 'CACHED' : `DONE ${seconds(event.durationMs)}s`,
        );
        break;
      case 'phase.failed':
        end(track(event.phase.id, event.phase.name), `ERROR: ${errorText(event.error)}`);
        break;
      case 'vertex.started': {
        const t = track(event.vertex.id, event.vertex.name);
        if (options.explain) write(`#${t.n} cache miss: ${event.explain}\n`);
        break;
      }
      case 'vertex.log': {
        const t = track(event.vertex.id, event.vertex.name);
        const lines = (t.partial[event.stream] + event.data).split('\n');
        t.partial[event.stream] = lines.pop() ?? '';
        for (const line of lines)
          write(`#${t.n} ${seconds(performance.now() - t.startedAt).padStart(5)} ${line}\n`);
        break;
      }
      case 'vertex.cached':
        end(track(event.vertex.id, event.vertex.name), 'CACHED');
        break;
      case 'vertex.completed':
        end(track(event.vertex.id, event.vertex.name), `DONE ${seconds(event.durationMs)}s`);
        break;
      case 'vertex.failed':
        end(track(event.vertex.id, event.vertex.name), `ERROR: ${errorText(event.error)}`);
        break;
      case 'vertex.cancelled':
        end(track(event.vertex.id, event.vertex.name), 'CANCELED');
        break;
      case 'build.warning': {
        const d = event.warning.diagnostic;
        warnings.push(`${d.code}: ${d.message} (${event.warning.file}:${d.range.start.line})`);
        break;
      }
      case 'build.completed':
      case 'build.failed':
        if (warnings.length > 0) {
          write(` ${warnings.length} warning${warnings.length === 1 ? '' : 's'} found:\n`);
          for (const w of warnings) write(` - ${w}\n`);
        }
        break;
      default:
        break;
    }
  };
}
