/** Parsers for docker build's option values: KEY=VALUE lists, secrets, outputs, sizes. */
import {
  type ArchiveCompression,
  type CacheSpec,
  type OutputSpec,
  type PullPolicy,
  type SecretSpec,
  TsbuildError,
} from '../../index.ts';

/** `KEY=VALUE` list to a record; a bare `KEY` takes its value from the environment, as docker does. */
export function keyValues(
  items: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const i = item.indexOf('=');
    if (i === 0)
      throw new TsbuildError('USAGE', `${what} "${item}" has no name`, { hint: `write ${what} NAME=VALUE` });
    if (i < 0) {
      const value = env[item];
      if (value !== undefined) out[item] = value;
    } else {
      out[item.slice(0, i)] = item.slice(i + 1);
    }
  }
  return out;
}

/** `a=1,b=2` (docker's CSV attribute lists); a field without `=` maps to ''. */
export function csvFields(text: string): Map<string, string> {
  return new Map(
    text
      .split(',')
      .filter((part) => part !== '')
      .map((part) => {
        const i = part.indexOf('=');
        return (i < 0 ? [part, ''] : [part.slice(0, i), part.slice(i + 1)]) as [string, string];
      }),
  );
}

/** `--secret id=x,src=FILE` / `id=x,env=VAR` (type=file|env accepted as docker does). */
export function parseSecret(text: string): SecretSpec {
  const fields = csvFields(text);
  const id = fields.get('id');
  if (id === undefined || id === '')
    throw new TsbuildError('USAGE', `--secret ${text}: id= is required`, {
      hint: 'e.g. --secret id=npmrc,src=$HOME/.npmrc',
    });
  const src = fields.get('src') ?? fields.get('source');
  const env = fields.get('env');
  if (src === undefined && env === undefined) return { id, env: id };
  return { id, ...(src !== undefined && { src }), ...(env !== undefined && { env }) };
}

/** `--ssh default` or `--ssh ID=SOCKET`; a bare id forwards $SSH_AUTH_SOCK. */
export function parseSsh(items: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    const id = i < 0 ? item : item.slice(0, i);
    const socket = i < 0 ? env.SSH_AUTH_SOCK : item.slice(i + 1);
    if (socket === undefined || socket === '')
      throw new TsbuildError('USAGE', `--ssh ${item}: no agent socket`, {
        hint: 'start ssh-agent (SSH_AUTH_SOCK) or write --ssh ID=/path/to/agent.sock',
      });
    out[id] = socket;
  }
  return out;
}

/** docker's `--pull`: bare flag means always. */
export function pullPolicy(value: string | undefined): PullPolicy {
  if (value === undefined || value === 'false' || value === 'missing') return 'missing';
  if (value === '' || value === 'true' || value === 'always') return 'always';
  if (value === 'never') return 'never';
  throw new TsbuildError('USAGE', `--pull=${value}: expected always, missing or never`);
}

const COMPRESSIONS: readonly string[] = ['gzip', 'zstd', 'none', 'uncompressed'];

function compressionOf(text: string | undefined, spec: string): ArchiveCompression | undefined {
  if (text === undefined) return undefined;
  if (!COMPRESSIONS.includes(text))
    throw new TsbuildError('USAGE', `--output ${spec}: compression=${text} is not gzip, zstd or none`);
  return text === 'uncompressed' ? 'none' : (text as ArchiveCompression);
}

function truthy(text: string | undefined): boolean {
  return text === '' || text === 'true' || text === '1';
}

/**
 * `-o type=oci,dest=out.tar`, or docker's shorthands: `-o DIR` (local) and `-o -` (tar on
 * standard output). `dest=-` stays '-' here; the runner turns it into standard output.
 */
export function parseOutput(text: string): OutputSpec {
  if (text === '-') return { type: 'tar', dest: '-' };
  if (!text.includes('=')) return { type: 'local', dest: text };
  const fields = csvFields(text);
  const type = fields.get('type');
  const dest = fields.get('dest');
  const needDest = (): string => {
    if (dest === undefined || dest === '')
      throw new TsbuildError('USAGE', `--output ${text}: type=${type} needs dest=PATH`, {
        hint: `e.g. -o type=${type},dest=${type === 'local' ? 'out/' : 'image.tar'}`,
      });
    return dest;
  };
  switch (type) {
    case 'image':
      return truthy(fields.get('push')) ? { type: 'image', push: true } : { type: 'image' };
    case 'registry':
      return { type: 'registry' };
    case 'docker':
    case 'oci': {
      const compression = compressionOf(fields.get('compression'), text);
      const level = fields.get('compression-level');
      return {
        type,
        dest: needDest(),
        ...(compression !== undefined && { compression }),
        ...(level !== undefined && { compressionLevel: Number(level) }),
      };
    }
    case 'local':
    case 'tar':
      return { type, dest: needDest() };
    default:
      throw new TsbuildError('USAGE', `--output ${text}: unknown type ${type ?? '(none)'}`, {
        hint: 'use type=image, registry, oci, docker, local or tar',
      });
  }
}

/** `--cache-from type=registry,ref=…`; a bare value is a registry reference, as docker takes it. */
export function parseCacheSpec(text: string, flag: string): CacheSpec {
  if (!text.includes('=')) return { type: 'registry', attrs: { ref: text } };
  const fields = csvFields(text);
  const type = fields.get('type');
  if (type === undefined || type === '')
    throw new TsbuildError('USAGE', `${flag} ${text}: type= is required`, {
      hint: `e.g. ${flag} type=registry,ref=registry.example/app:cache`,
    });
  fields.delete('type');
  return { type, attrs: Object.fromEntries(fields) };
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** docker's memory sizes: `512m`, `2g`, `1048576` (binary units). */
export function parseBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(text.trim());
  if (m === null) throw new TsbuildError('USAGE', `${flag} ${text}: not a size`, { hint: 'e.g. 512m or 2g' });
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
}
