/** Image commands: images, tag, rmi, inspect, history. */
import type { Argv } from 'yargs';
import { history, images, inspect, rmi, tag } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { formatSize, formatTable, shortId, timeAgo } from '../table.ts';

interface FormatArgs extends GlobalArgs {
  readonly format?: string;
}

export function imageCommands(parser: Argv, ctx: CliContext): void {
  parser.command<FormatArgs>(
    ['images', 'image ls'],
    'List images in the store',
    (y) =>
      y
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 images --format json', 'Machine-readable list'),
    async (args) => {
      const rows = await images(rootOption(args));
      if (args.format === 'json') {
        ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const now = Date.now();
      ctx.out(
        formatTable(
          ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
          rows.map((r) => [r.repository, r.tag, shortId(r.id), timeAgo(r.created, now), formatSize(r.size)]),
        ),
      );
    },
  );

  parser.command<GlobalArgs & { source: string; target: string }>(
    'tag <source> <target>',
    'Give an image another name',
    (y) =>
      y
        .positional('source', { type: 'string', demandOption: true })
        .positional('target', { type: 'string', demandOption: true })
        .example('$0 tag my-httpd my-httpd:1.0', 'Another tag for the same image'),
    async (args) => {
      await tag(args.source, args.target, rootOption(args));
    },
  );

  parser.command<GlobalArgs & { images: string[]; force?: boolean }>(
    ['rmi <images..>', 'image rm'],
    'Remove images: untag them, and delete their blobs when nothing else uses them',
    (y) =>
      y
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('force', { alias: 'f', type: 'boolean', describe: 'Remove an image ID with several names' })
        .example('$0 rmi my-httpd', 'Untag my-httpd:latest (and free its layers if nothing else uses them)'),
    async (args) => {
      const events = await rmi(args.images, { ...rootOption(args), force: args.force === true });
      for (const e of events)
        ctx.out('untagged' in e ? `Untagged: ${e.untagged}\n` : `Deleted: ${e.deleted}\n`);
    },
  );

  parser.command<GlobalArgs & { image: string }>(
    'inspect <image>',
    'Show an image: config, manifest, history, layers (JSON)',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .example('$0 inspect my-httpd', 'Config, manifest, layers and history as JSON'),
    async (args) => {
      ctx.out(`${JSON.stringify(await inspect(args.image, rootOption(args)), null, 2)}\n`);
    },
  );

  parser.command<FormatArgs & { image: string }>(
    'history <image>',
    'Show the steps that made an image',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 history my-httpd', 'One row per Dockerfile step, newest first'),
    async (args) => {
      const rows = await history(args.image, rootOption(args));
      if (args.format === 'json') {
        ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const now = Date.now();
      ctx.out(
        formatTable(
          ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
          rows.map((r) => [
            r.layer === undefined ? '<missing>' : shortId(r.layer),
            timeAgo(r.created, now),
            r.createdBy.slice(0, 60),
            formatSize(r.size),
            r.comment,
          ]),
        ),
      );
    },
  );
}
