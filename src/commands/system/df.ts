import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat, renderTable } from '../../cli/output.js';
import { humanSize } from '../../cli/units.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

interface DiskUsage {
  LayersSize: number;
  Images: Array<{ Id: string; RepoTags: string[]; Size: number; Containers: number; Created: number }>;
  Containers: Array<{ Id: string; Names: string[]; Image: string; State: string; SizeRw: number; Created: number }>;
}

function ago(unixSec: number): string {
  const sec = Math.max(0, Date.now() / 1000 - unixSec);
  if (!unixSec) return 'N/A';
  if (sec < 60) return `${Math.round(sec)} seconds ago`;
  if (sec < 3600) return `${Math.round(sec / 60)} minutes ago`;
  if (sec < 86400 * 2) return `${Math.round(sec / 3600)} hours ago`;
  return `${Math.round(sec / 86400)} days ago`;
}

export default class SystemDf extends KctlCommand {
  static override summary = 'Show kctl disk usage: images, containers (writable layers) and unpacked layers';
  static override usage = 'system df [OPTIONS]';
  static override examples = [
    { description: 'The summary table', command: '<%= config.bin %> system df' },
    { description: 'Per image and per container', command: '<%= config.bin %> system df --verbose' },
    { description: 'Sizes only, one type per line', command: "<%= config.bin %> system df --format '{{.Type}}: {{.Size}}'" },
  ];
  static override flags = {
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
    verbose: Flags.boolean({ char: 'v', description: 'Show detailed information on space usage' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemDf);
    const c = await this.daemon();
    const du = JSON.parse((await call<object, JsonDocument__Output>(c.system, 'DiskUsage', {})).json) as DiskUsage;
    const pct = (part: number, whole: number) => (whole ? ` (${Math.round((part / whole) * 100)}%)` : '');
    const unusedImages = du.Images.filter((i) => i.Containers === 0);
    const imageSize = du.Images.reduce((a, i) => a + i.Size, 0);
    const imageFree = unusedImages.reduce((a, i) => a + i.Size, 0);
    const ctrSize = du.Containers.reduce((a, x) => a + x.SizeRw, 0);
    const ctrFree = du.Containers.filter((x) => x.State !== 'running').reduce((a, x) => a + x.SizeRw, 0);
    const rows = [
      { Type: 'Images', TotalCount: String(du.Images.length), Active: String(du.Images.length - unusedImages.length), Size: humanSize(imageSize), Reclaimable: humanSize(imageFree) + pct(imageFree, imageSize) },
      { Type: 'Containers', TotalCount: String(du.Containers.length), Active: String(du.Containers.filter((x) => x.State === 'running').length), Size: humanSize(ctrSize), Reclaimable: humanSize(ctrFree) + pct(ctrFree, ctrSize) },
      { Type: 'Local Volumes', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
      { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
    ];
    if (flags.format) {
      process.stdout.write(renderFormat(flags.format, rows, { TotalCount: 'TOTAL', Reclaimable: 'RECLAIMABLE' }));
      return;
    }
    if (!flags.verbose) {
      process.stdout.write(renderTable(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable])));
      return;
    }
    const images = du.Images.flatMap((i) => (i.RepoTags.length ? i.RepoTags : ['<none>:<none>']).map((t) => {
      const at = t.lastIndexOf(':');
      return [t.slice(0, at), t.slice(at + 1), i.Id.replace(/^sha256:/, '').slice(0, 12), ago(i.Created), humanSize(i.Size), String(i.Containers)];
    }));
    const containers = du.Containers.map((x) => [x.Id.slice(0, 12), x.Image, ago(x.Created), x.State, humanSize(x.SizeRw), (x.Names[0] ?? '').replace(/^\//, '')]);
    process.stdout.write('Images space usage:\n\n' + renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'CONTAINERS'], images) +
      `\nUnpacked layers: ${humanSize(du.LayersSize)}\n` +
      '\nContainers space usage:\n\n' + renderTable(['CONTAINER ID', 'IMAGE', 'CREATED', 'STATUS', 'SIZE', 'NAMES'], containers) +
      '\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS   SIZE\n' +
      '\nBuild cache usage: 0B\n');
  }
}
