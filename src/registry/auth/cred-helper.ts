/**
 * Talks to Docker credential helpers (`docker-credential-<name> get|store|erase`), the protocol
 * `credsStore` and `credHelpers` in ~/.docker/config.json point at. Helper output carries secrets,
 * so it never goes into an error message.
 */
import { spawn } from 'node:child_process';
import { TsbuildError } from '../../errors.ts';
import type { Credentials } from './credentials.ts';

type HelperAction = 'get' | 'store' | 'erase';

interface HelperResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(helper: string, action: HelperAction, input: string): Promise<HelperResult> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (err) =>
      reject(
        new TsbuildError('REGISTRY_AUTH', `credential helper ${program} could not be started`, {
          cause: err,
          hint: `install ${program} or remove it from credsStore/credHelpers in your Docker config.json`,
        }),
      ),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** First line of helper stderr, short: enough to say what went wrong, too little to leak a blob. */
function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}

function helperFailed(
  helper: string,
  action: HelperAction,
  serverUrl: string,
  result: HelperResult,
): TsbuildError {
  return new TsbuildError(
    'REGISTRY_AUTH',
    `credential helper docker-credential-${helper} ${action} failed for ${serverUrl} (exit ${result.code}): ${firstLine(result.stderr) || 'no message'}`,
    {
      hint: `check that docker-credential-${helper} works: echo ${serverUrl} | docker-credential-${helper} get`,
    },
  );
}

export async function helperGet(helper: string, serverUrl: string): Promise<Credentials | undefined> {
  const result = await run(helper, 'get', serverUrl);
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    throw helperFailed(helper, 'get', serverUrl, result);
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new TsbuildError(
      'REGISTRY_AUTH',
      `credential helper docker-credential-${helper} printed something that is not JSON for ${serverUrl}`,
      {
        hint: `check that docker-credential-${helper} works: echo ${serverUrl} | docker-credential-${helper} get`,
      },
    );
  }
  if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string' || parsed.Secret === '') {
    return undefined;
  }
  // Docker's convention: the username `<token>` marks the secret as an identity (refresh) token.
  return parsed.Username === '<token>'
    ? { kind: 'identity-token', username: parsed.Username, token: parsed.Secret }
    : { kind: 'basic', username: parsed.Username, password: parsed.Secret };
}

export async function helperStore(
  helper: string,
  serverUrl: string,
  username: string,
  secret: string,
): Promise<void> {
  const input = JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret });
  const result = await run(helper, 'store', input);
  if (result.code !== 0) throw helperFailed(helper, 'store', serverUrl, result);
}

export async function helperErase(helper: string, serverUrl: string): Promise<void> {
  const result = await run(helper, 'erase', serverUrl);
  if (result.code !== 0 && !/not found/i.test(result.stdout + result.stderr)) {
    throw helperFailed(helper, 'erase', serverUrl, result);
  }
}
