/** What the image commands do: images, tag, rmi, inspect, history. */
import { history, images, inspect, rmi, tag } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { formatSize, formatTable, shortId, timeAgo } from '../table.ts';

export interface FormatArgs extends GlobalArgs {
  readonly format?: string;
}

export type TagArgs = GlobalArgs & { readonly source: string; readonly target: string };
export type RmiArgs = GlobalArgs & { readonly images: string[]; readonly force?: boolean };
export type ImageArgs = GlobalArgs & { readonly image: string };

/** `--format json` prints the rows as the library returns them; a table otherwise. */
function printRows<T>(
  args: FormatArgs,
  rows: readonly T[],
  table: (now: number) => string,
  ctx: CliContext,
): void {
  ctx.out(args.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : table(Date.now()));
}

export async function imagesCommand(args: FormatArgs, ctx: CliContext): Promise<void> {
  const rows = await images(rootOption(args));
  printRows(
    args,
    rows,
    (now) =>
      formatTable(
        ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
        rows.map((r) => [r.repository, r.tag, shortId(r.id), timeAgo(r.created, now), formatSize(r.size)]),
      ),
    ctx,
  );
}

export async function tagCommand(args: TagArgs): Promise<void> {
  await tag(args.source, args.target, rootOption(args));
}

export async function rmiCommand(args: RmiArgs, ctx: CliContext): Promise<void> {
  const events = await rmi(args.images, { ...rootOption(args), force: args.force === true });
  for (const e of events) ctx.out('untagged' in e ? `Untagged: ${e.untagged}\n` : `Deleted: ${e.deleted}\n`);
}

export async function inspectCommand(args: ImageArgs, ctx: CliContext): Promise<void> {
  ctx.out(`${JSON.stringify(await inspect(args.image, rootOption(args)), null, 2)}\n`);
}

export async function historyCommand(args: FormatArgs & ImageArgs, ctx: CliContext): Promise<void> {
  const rows = await history(args.image, rootOption(args));
  printRows(
    args,
    rows,
    (now) =>
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
    ctx,
  );
}
