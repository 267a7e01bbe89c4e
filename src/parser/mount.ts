/**
 * `RUN --mount=...` values: one CSV record of `key=value` fields (Go's
 * encoding/csv rules), read into a MountSpec. Values stay unexpanded; checks
 * that need a value (octal mode, numeric ids, booleans) only run on literals.
 */
import type { MountSpec, MountType } from './ast.ts';
import { closestMatch } from './suggest.ts';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];

export class MountError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'MountError';
    this.hint = hint;
  }
}

/** One CSV record as Go's encoding/csv reads it (comma separated, `"` quoting with `""` escapes). */
export function readCsvRecord(text: string): string[] {
  if (text === '')
    throw new MountError('failed to parse csv mounts: EOF', 'give at least type=... or target=...');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1)
          throw new MountError('failed to parse csv mounts: extraneous or missing " in quoted-field');
        field += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          field += '"';
          i++;
        } else if (i === text.length || text[i] === ',') break;
        else throw new MountError('failed to parse csv mounts: extraneous or missing " in quoted-field');
      }
    } else {
      const comma = text.indexOf(',', i);
      field = text.slice(i, comma === -1 ? text.length : comma);
      if (field.includes('"')) throw new MountError('failed to parse csv mounts: bare " in non-quoted-field');
      i = comma === -1 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++;
  }
}

const hasVariable = (value: string): boolean => value.includes('$');

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new MountError(`invalid value for ${key}: ${value}`, 'use true or false');
}

function checkNumber(key: string, value: string, radix: 8 | 10): void {
  if (hasVariable(value)) return;
  const digits = radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(value) || Number.parseInt(value, radix) > 0xffffffff) {
    throw new MountError(
      key === 'mode' ? `invalid value ${value} for mode` : `invalid value for ${key}: ${value}`,
      radix === 8 ? 'mode is an octal number such as 0644' : `${key} is a number`,
    );
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseMount(value: string): MountSpec {
  const spec: Mutable<MountSpec> = { type: 'bind' };
  for (const field of readCsvRecord(value)) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq === -1 ? undefined : field.slice(eq + 1);
    if (val === undefined) {
      if (key === 'readonly' || key === 'ro') spec.readonly = true;
      else if (key === 'readwrite' || key === 'rw') spec.readonly = false;
      else if (key === 'required' && (spec.type === 'secret' || spec.type === 'ssh')) spec.required = true;
      else if (key === 'required')
        throw new MountError(`unexpected key '${key}' for mount type '${spec.type}'`);
      else throw new MountError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type': {
        const type = val.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(type)) {
          const near = closestMatch(val, MOUNT_TYPES);
          throw new MountError(
            `unsupported mount type ${JSON.stringify(val)}`,
            near ? `did you mean ${near}?` : `use one of ${MOUNT_TYPES.join(', ')}`,
          );
        }
        spec.type = type as MountType;
        break;
      }
      case 'source':
      case 'src':
        spec.source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        spec.target = val;
        break;
      case 'readonly':
      case 'ro':
        spec.readonly = parseBool(key, val);
        break;
      case 'readwrite':
      case 'rw':
        spec.readonly = !parseBool(key, val);
        break;
      case 'required':
        if (spec.type !== 'secret' && spec.type !== 'ssh') {
          throw new MountError(`unexpected key '${key}' for mount type '${spec.type}'`);
        }
        spec.required = parseBool(key, val);
        break;
      case 'size':
        if (spec.type !== 'tmpfs') {
          throw new MountError(
            `unexpected key '${key}' for mount type '${spec.type}'`,
            'size applies to type=tmpfs',
          );
        }
        spec.size = val;
        break;
      case 'id':
        spec.id = val;
        break;
      case 'sharing': {
        const sharing = val.toLowerCase();
        if (sharing !== 'shared' && sharing !== 'private' && sharing !== 'locked') {
          throw new MountError(
            `unsupported sharing value ${JSON.stringify(val)}`,
            'use shared, private or locked',
          );
        }
        spec.sharing = sharing;
        break;
      }
      case 'from':
        spec.from = val;
        break;
      case 'mode':
        checkNumber(key, val, 8);
        spec.mode = val;
        break;
      case 'uid':
      case 'gid':
        checkNumber(key, val, 10);
        spec[key] = val;
        break;
      case 'env':
        spec.env = val;
        break;
      default:
        throw new MountError(`unexpected key '${key}' in '${field}'`);
    }
  }
  return validate(spec);
}

function validate(spec: MountSpec): MountSpec {
  const fileInfo = spec.type === 'secret' || spec.type === 'ssh' || spec.type === 'cache';
  for (const key of ['mode', 'uid', 'gid'] as const) {
    if (!fileInfo && spec[key] !== undefined)
      throw new MountError(`${key} not allowed for "${spec.type}" type mounts`);
  }
  if (spec.sharing !== undefined && spec.type !== 'cache') {
    throw new MountError(`invalid cache sharing set for ${spec.type} mount`);
  }
  if (spec.type === 'secret') {
    if (spec.from !== undefined) throw new MountError('secret mount should not have a from');
    if (spec.source !== undefined && spec.id !== undefined)
      throw new MountError("both source and id can't be set");
  }
  return spec;
}
