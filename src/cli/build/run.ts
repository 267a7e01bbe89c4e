/**
 * Runs one `tsbuild build`: reads what comes from standard input, picks the
 * progress view, builds in-process or through a daemon (`--host`), writes
 * the outputs, the iidfile and the metadata file.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Builder, BuildOptions, BuildOutputOptions, BuildResult, OutputSpec } from '../../index.ts';
import { readDockerfile } from '../dockerfile-source.ts';
import { EXIT } from '../errors.ts';
import { createReporter } from '../progress/choose.ts';
import { type CliContext, type GlobalArgs, hostOf } from '../shared.ts';
import { handleInterrupts } from '../signals.ts';
import { contextSource, openContext } from './context.ts';
import type { ParsedBuildArgs } from './parse-args.ts';

/** In-process the whole engine loads; through a daemon (`--host`) only its client does. */
async function openBuilder(parsed: ParsedBuildArgs, args: GlobalArgs, ctx: CliContext): Promise<Builder> {
  const host = hostOf(args, ctx.env);
  if (host !== undefined) return (await import('./remote.ts')).openRemoteBuilder(host, ctx.env);
  return (await import('./engine.ts')).openLocalBuilder(parsed, args);
}

/** `dest=-` is standard output. */
function outputStreams(
  outputs: readonly OutputSpec[] | undefined,
  ctx: CliContext,
): OutputSpec[] | undefined {
  return outputs?.map((o) =>
    (o.type === 'tar' || o.type === 'oci' || o.type === 'docker') && o.dest === '-'
      ? { ...o, dest: ctx.stdout }
      : o,
  );
}

function metadata(result: BuildResult) {
  return {
    'containerimage.config.digest': result.imageId,
    'containerimage.digest': result.manifestDigest,
    ...(result.tags.length > 0 && { 'image.name': result.tags.join(',') }),
    'tsbuild.build.ref': result.buildId,
    'tsbuild.build.durationMs': Math.round(result.durationMs),
    'tsbuild.build.steps': result.steps,
  };
}

/** `--check`: the Dockerfile's findings instead of a build. */
async function check(parsed: ParsedBuildArgs, ctx: CliContext): Promise<number> {
  const { options } = parsed;
  const path = options.dockerfile ?? join(options.context, 'Dockerfile');
  const source = await readDockerfile(path, ctx);
  const { dockerfileFindings, reportFindings } = await import('../actions/dockerfile.ts');
  return reportFindings(source, dockerfileFindings(source, { ...options.buildArgs }), 'text', ctx);
}

export async function runBuild(parsed: ParsedBuildArgs, args: GlobalArgs, ctx: CliContext): Promise<number> {
  if (parsed.settings.check) return check(parsed, ctx);
  if (parsed.settings.print === 'outline')
    return (await import('./engine.ts')).printOutline(parsed, args, ctx);
  const { options, settings } = parsed;
  const dockerfile =
    options.dockerfile === '-'
      ? await readDockerfile('-', ctx)
      : await readDockerfile(options.dockerfile ?? join(options.context, 'Dockerfile'), ctx).catch(
          () => undefined,
        );
  if (dockerfile !== undefined) ctx.sources.set(dockerfile.name, dockerfile.text);
  const source = await contextSource(options.context);
  const builder = await openBuilder(parsed, args, ctx);
  const reporter = await createReporter(settings.progress, ctx, { explain: settings.explain });
  const interrupts = handleInterrupts('build', (t) => reporter.notice(t));
  // Scratch space on the store's filesystem in-process; a daemon's store is not ours to write.
  const scratch = hostOf(args, ctx.env) === undefined ? join(builder.root, 'tmp') : tmpdir();
  const context = await openContext(source, scratch, ctx, interrupts.signal).catch(async (error) => {
    interrupts.dispose();
    await reporter.finish({ tags: [] });
    await builder.close();
    throw error;
  });
  const outputs = outputStreams(options.outputs, ctx);
  const buildOptions: BuildOptions & BuildOutputOptions = {
    ...options,
    ...(outputs !== undefined && { outputs }),
    context: context.dir,
    ...(options.dockerfile === '-' && { dockerfile: undefined, dockerfileText: dockerfile!.text }),
    signal: interrupts.signal,
    onEvent: (e) => reporter.onEvent(e),
  };
  let result: BuildResult | undefined;
  try {
    result = await builder.build(buildOptions);
    await reporter.finish({ tags: result.tags });
  } catch (error) {
    await reporter.finish({ tags: [] });
    throw error;
  } finally {
    interrupts.dispose();
    await context.dispose();
    await builder.close();
  }
  if (settings.iidfile !== undefined) await writeFile(settings.iidfile, result.imageId);
  if (settings.metadataFile !== undefined)
    await writeFile(settings.metadataFile, `${JSON.stringify(metadata(result), null, 2)}\n`);
  if (settings.progress === 'quiet') ctx.out(`${result.imageId}\n`);
  else if (settings.progress !== 'json') {
    ctx.err(`writing image ${result.imageId}\n`);
    for (const tag of result.tags) ctx.err(`naming to ${tag}\n`);
  }
  return EXIT.ok;
}
