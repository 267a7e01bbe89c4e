/** Image commands: images, tag, rmi, inspect, history. */
import type { Argv } from 'yargs';
import type { FormatArgs, ImageArgs, RmiArgs, TagArgs } from '../actions/images.ts';
import type { CliContext } from '../shared.ts';

/** The image store loads only when one of these commands runs. */
const actions = () => import('../actions/images.ts');

export function imageCommands(parser: Argv, ctx: CliContext): void {
  parser.command<FormatArgs>(
    ['images', 'image ls'],
    'List images in the store',
    (y) =>
      y
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 images --format json', 'Machine-readable list'),
    async (args) => (await actions()).imagesCommand(args, ctx),
  );

  parser.command<TagArgs>(
    'tag <source> <target>',
    'Give an image another name',
    (y) =>
      y
        .positional('source', { type: 'string', demandOption: true })
        .positional('target', { type: 'string', demandOption: true })
        .example('$0 tag my-httpd my-httpd:1.0', 'Another tag for the same image'),
    async (args) => (await actions()).tagCommand(args),
  );

  parser.command<RmiArgs>(
    ['rmi <images..>', 'image rm'],
    'Remove images: untag them, and delete their blobs when nothing else uses them',
    (y) =>
      y
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('force', { alias: 'f', type: 'boolean', describe: 'Remove an image ID with several names' })
        .example('$0 rmi my-httpd', 'Untag my-httpd:latest (and free its layers if nothing else uses them)'),
    async (args) => (await actions()).rmiCommand(args, ctx),
  );

  parser.command<ImageArgs>(
    'inspect <image>',
    'Show an image: config, manifest, history, layers (JSON)',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .example('$0 inspect my-httpd', 'Config, manifest, layers and history as JSON'),
    async (args) => (await actions()).inspectCommand(args, ctx),
  );

  parser.command<FormatArgs & ImageArgs>(
    'history <image>',
    'Show the steps that made an image',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 history my-httpd', 'One row per Dockerfile step, newest first'),
    async (args) => (await actions()).historyCommand(args, ctx),
  );
}
