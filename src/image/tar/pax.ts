import tarStream, { type Extract, type Header, type Pack } from 'tar-stream';

/**
 * Byte-exact PAX records for tar-stream.
 *
 * tar-stream 3 codes PAX records as UTF-8 text, but xattr values (`SCHILY.xattr.*`, e.g.
 * `security.capability`) are binary, and Go's archive/tar (Docker, containerd, BuildKit) writes and
 * reads them as raw bytes. These wrappers replace tar-stream's PAX coding on one pack/extract
 * instance (its `_encodePax` / `_decodeLongHeader` hooks, tar-stream 3.x) and leave the rest of
 * the tar format to it.
 */

export type PaxValue = string | Uint8Array;

/** A tar-stream header with PAX records whose values may be binary. */
export type LayerHeader = Omit<Partial<Header>, 'pax' | 'type'> & {
  name: string;
  type?: Header['type'] | 'pax-header';
  pax?: Readonly<Record<string, PaxValue>>;
};

const RAW = Symbol('paxRaw');

/** Decoded PAX records: string values for tar-stream, raw bytes kept beside them. */
type DecodedPax = Record<string, string> & { [RAW]?: ReadonlyMap<string, Buffer> };

interface PackInternals {
  _encode(header: LayerHeader): void;
  _encodePax(header: LayerHeader): void;
  push(chunk: Uint8Array | null): boolean;
}

interface ExtractInternals {
  _header: Header | { type: 'pax-header' | 'pax-global-header' };
  _pax: DecodedPax | null;
  _paxGlobal: DecodedPax | null;
  _decodeLongHeader(buf: Buffer): void;
}

function record(key: string, value: PaxValue): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  // The length prefix counts itself: grow it until the digit count is stable.
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

export function encodePaxRecords(records: Iterable<readonly [string, PaxValue]>): Buffer {
  return Buffer.concat([...records].map(([k, v]) => record(k, v)));
}

export function decodePaxRecords(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let offset = 0;
  while (offset < buf.length) {
    if (buf[offset] === 0) break; // zero padding after the last record
    const space = buf.indexOf(0x20, offset);
    const length = Number(buf.subarray(offset, space).toString('latin1'));
    if (
      space === -1 ||
      !Number.isSafeInteger(length) ||
      length <= space - offset ||
      offset + length > buf.length
    ) {
      throw new Error('Invalid tar header: malformed PAX record');
    }
    const entry = buf.subarray(space + 1, offset + length - 1);
    const eq = entry.indexOf(0x3d);
    if (eq === -1 || buf[offset + length - 1] !== 0x0a)
      throw new Error('Invalid tar header: malformed PAX record');
    out.set(entry.subarray(0, eq).toString('utf8'), Buffer.from(entry.subarray(eq + 1)));
    offset += length;
  }
  return out;
}

function toDecoded(raw: ReadonlyMap<string, Buffer>): DecodedPax {
  const out: DecodedPax = {};
  for (const [k, v] of raw) out[k] = v.toString('utf8');
  Object.defineProperty(out, RAW, { value: raw, enumerable: false });
  return out;
}

function merge(base: DecodedPax | null, next: ReadonlyMap<string, Buffer>): DecodedPax {
  return toDecoded(new Map([...(base?.[RAW] ?? []), ...next]));
}

/** Raw PAX values of an extracted entry's header (empty when it had none). */
export function paxRecordsOf(header: Header): ReadonlyMap<string, Buffer> {
  const pax = (header as { pax?: DecodedPax | null }).pax;
  return pax?.[RAW] ?? new Map();
}

/** An ASCII name that fits a ustar field, for readers that ignore PAX; PAX `path` is authoritative. */
function ustarFallback(name: string | null | undefined): string {
  if (!name) return '';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= 100 ? ascii : ascii.slice(ascii.length - 100);
}

export function createPack(): Pack {
  const pack = tarStream.pack();
  const internals = pack as unknown as PackInternals;
  internals._encodePax = (header) => {
    const records: [string, PaxValue][] = [['path', header.name]];
    if (header.linkname) records.push(['linkpath', header.linkname]);
    for (const [k, v] of Object.entries(header.pax ?? {})) records.push([k, v]);
    const body = encodePaxRecords(records);
    internals._encode({
      name: 'PaxHeader',
      type: 'pax-header',
      size: body.length,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: header.mtime ?? new Date(0),
    });
    internals.push(body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) internals.push(Buffer.alloc(pad));
    const { pax: _pax, ...rest } = header;
    internals._encode({
      ...rest,
      name: ustarFallback(header.name),
      linkname: ustarFallback(header.linkname),
    });
  };
  return pack;
}

export function createExtract(): Extract {
  const extract = tarStream.extract();
  const internals = extract as unknown as ExtractInternals;
  const original = internals._decodeLongHeader.bind(extract);
  internals._decodeLongHeader = (buf) => {
    const type = internals._header.type;
    if (type === 'pax-header') internals._pax = merge(internals._paxGlobal, decodePaxRecords(buf));
    else if (type === 'pax-global-header')
      internals._paxGlobal = merge(internals._paxGlobal, decodePaxRecords(buf));
    else original(buf);
  };
  return extract;
}
