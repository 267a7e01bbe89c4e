/**
 * The daemon's wire format, shared by server and client. REST over HTTP/1.1
 * on a UNIX socket (or loopback TCP with a bearer token):
 *
 *   GET  /v1/info                      -> DaemonInfo
 *   POST /v1/contexts/<key>/plan       ContextEntry[] -> ContextPlan
 *   POST /v1/build                     tar: header entry + context changes -> NDJSON StreamMessage lines
 *
 * The build body is one tar stream: its first entry, HEADER_ENTRY, holds the
 * request as JSON; the rest is the context diff against the daemon's mirror
 * of this context (changed files, and `.wh.` whiteouts for removed paths).
 */
import type { BuildEvent, BuildOptions, BuildResult } from '../build.ts';
import type { BuildOutputOptions } from '../build-outputs.ts';
import { type ErrorCode, isTsbuildError, type SourceLocation, TsbuildError } from '../errors.ts';
import type { ContextEntry } from './context-walk.ts';

export const API = '/v1';
export const HEADER_ENTRY = '.tsbuild-request.json';

export interface DaemonInfo {
  readonly version: string;
  readonly root: string;
  readonly pid: number;
}

/** Which context entries the daemon's mirror lacks or has stale, and which it has that are gone. */
export interface ContextPlan {
  readonly need: readonly string[];
  readonly remove: readonly string[];
}

/** Build options that cross the wire: no paths of the client, no callbacks. */
export type RemoteBuildOptions = Omit<
  BuildOptions & BuildOutputOptions,
  'context' | 'dockerfile' | 'signal' | 'onEvent' | 'outputs' | 'secrets' | 'ssh'
> & {
  readonly dockerfileText: string;
  /** `--secret` values read by the client, base64, by id. */
  readonly secretValues?: Readonly<Record<string, string>>;
};

export interface BuildRequestHeader {
  readonly contextKey: string;
  readonly manifest: readonly ContextEntry[];
  /** The plan the client's diff follows (from /plan). */
  readonly plan: ContextPlan;
  readonly options: RemoteBuildOptions;
}

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly location?: SourceLocation;
}

export type StreamMessage =
  | { readonly type: 'event'; readonly event: BuildEvent }
  | { readonly type: 'result'; readonly result: BuildResult }
  | { readonly type: 'error'; readonly error: WireError };

export function toWireError(error: unknown): WireError {
  if (isTsbuildError(error))
    return {
      code: error.code,
      message: error.message,
      ...(error.hint !== undefined && { hint: error.hint }),
      ...(error.location !== undefined && { location: error.location }),
    };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(wire: WireError): TsbuildError {
  return new TsbuildError(wire.code, wire.message, {
    ...(wire.hint !== undefined && { hint: wire.hint }),
    ...(wire.location !== undefined && { location: wire.location }),
  });
}

/** One NDJSON line; errors inside events travel as WireErrors. */
export function encodeMessage(message: StreamMessage): string {
  return `${JSON.stringify(message, (_key, value: unknown) => (value instanceof Error ? toWireError(value) : value))}\n`;
}

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** Parses one NDJSON line, turning WireErrors inside events back into TsbuildErrors. */
export function decodeMessage(line: string): StreamMessage {
  const message = JSON.parse(line) as StreamMessage;
  if (message.type === 'event' && 'error' in message.event && isWireError(message.event.error))
    return { type: 'event', event: { ...message.event, error: fromWireError(message.event.error) } };
  return message;
}

/** `unix:///path`, `/path`, or `tcp://127.0.0.1:PORT`. */
export type Endpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix://')) return { kind: 'unix', path: text.slice('unix://'.length) };
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(text);
  if (m === null)
    throw new TsbuildError('USAGE', `"${text}" is not a daemon address`, {
      hint: 'use unix:///run/tsbuild/tsbuild.sock or tcp://127.0.0.1:PORT',
    });
  return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export const DEFAULT_SOCKET = '/run/tsbuild/tsbuild.sock';
