import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { renderFormat, renderTable, shortId } from '../cli/output.js';
import { humanSize } from '../cli/units.js';
import type { ListImagesResponse__Output } from '../api/gen/kctl/v1/ListImagesResponse.js';

export default class Images extends KctlCommand {
  static override summary = 'List images';
  static override usage = 'images [OPTIONS]';
  static override aliases = ['image:ls', 'image:list'];
  static override examples = [
    { description: 'All images', command: '<%= config.bin %> images' },
    { description: 'Image ids only', command: '<%= config.bin %> images --quiet' },
    { description: 'Untagged (dangling) images', command: '<%= config.bin %> images --filter dangling=true' },
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all images (default hides intermediate images)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only show image IDs' }),
    digests: Flags.boolean({ description: 'Show digests' }),
    'no-trunc': Flags.boolean({ description: "Don't truncate output" }),
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
    filter: Flags.string({ char: 'f', description: 'Filter output based on conditions provided (dangling=true|false, reference=PATTERN, label; key=value)', multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Images);
    const c = await this.daemon();
    const res = await call<object, ListImagesResponse__Output>(c.images, 'List', { all: flags.all });
    type Row = { Repository: string; Tag: string; Digest: string; ID: string; CreatedAt: string; CreatedSince: string; Size: string };
    const rows: Row[] = [];
    const { parseFilters, imageMatches, IMAGE_FILTERS } = await import('../cli/filters.js');
    const filters = parseFilters(flags.filter, IMAGE_FILTERS);
    for (const img of res.images) {
      const tags = img.repoTags.filter((t) => imageMatches(img, t, filters));
      if (img.repoTags.length ? tags.length === 0 : !imageMatches(img, undefined, filters)) continue;
      const id = flags['no-trunc'] ? img.id : shortId(img.id);
      const digest = img.repoDigests[0]?.split('@')[1] ?? '<none>';
      const base = { ID: id, CreatedAt: img.created, CreatedSince: since(img.created), Size: humanSize(Number(img.size)), Digest: digest };
      if (img.repoTags.length === 0) rows.push({ Repository: '<none>', Tag: '<none>', ...base });
      for (const t of tags) {
        const i = t.lastIndexOf(':');
        rows.push({ Repository: t.slice(0, i), Tag: t.slice(i + 1), ...base });
      }
    }
    if (flags.quiet) {
      process.stdout.write([...new Set(rows.map((r) => r.ID))].map((i) => i + '\n').join(''));
      return;
    }
    if (flags.format && flags.format !== 'table') {
      process.stdout.write(renderFormat(flags.format, rows, { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' }));
      return;
    }
    const headers = ['REPOSITORY', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
    process.stdout.write(renderTable(headers, rows.map((r) => [r.Repository, r.Tag, ...(flags.digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size])));
  }
}

function since(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'N/A';
  const sec = Math.max(0, (Date.now() - t) / 1000);
  if (sec < 60) return `${Math.round(sec)} seconds ago`;
  if (sec < 3600) return `${Math.round(sec / 60)} minutes ago`;
  if (sec < 86400 * 2) return `${Math.round(sec / 3600)} hours ago`;
  if (sec < 86400 * 14) return `${Math.round(sec / 86400)} days ago`;
  if (sec < 86400 * 60) return `${Math.round(sec / 86400 / 7)} weeks ago`;
  if (sec < 86400 * 730) return `${Math.round(sec / 86400 / 30)} months ago`;
  return `${Math.round(sec / 86400 / 365)} years ago`;
}
