/** Pull progress on stderr: a spinner on a terminal, plain lines otherwise, nothing with -q. */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../api/grpc/status.js';
import type { Clients } from './client.js';
import type { ProgressEvent__Output } from '../api/gen/kctl/v1/ProgressEvent.js';
import type { AuthConfig } from '../api/gen/kctl/v1/AuthConfig.js';
import { humanSize } from './units.js';

export async function pullWithProgress(c: Clients, reference: string, o: { quiet: boolean; platform?: string; auth?: AuthConfig; json?: boolean; allTags?: boolean }): Promise<string> {
  const tty = !!process.stderr.isTTY && !o.quiet && !o.json;
  const spinner = tty ? (await import('ora')).default({ text: `Pulling ${reference}`, stream: process.stderr }).start() : undefined;
  const layers = new Map<string, { status: string; current: number; total: number }>();
  let imageId = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const s = c.images.Pull({ reference, platform: o.platform ?? '', auth: o.auth, allTags: !!o.allTags }) as ClientReadableStream<ProgressEvent__Output>;
      s.on('data', (e: ProgressEvent__Output) => {
        if (e.imageId) { imageId = e.imageId; return; }
        if (o.json) { process.stderr.write(JSON.stringify({ id: e.id || undefined, status: e.status, progressDetail: e.total ? { current: e.current, total: e.total } : undefined }) + '\n'); return; }
        if (o.quiet) return;
        if (e.id) layers.set(e.id, { status: e.status, current: e.current, total: e.total });
        if (spinner) {
          const done = [...layers.values()].filter((l) => /complete|exists/i.test(l.status)).length;
          const cur = [...layers.values()].reduce((a, l) => a + (l.current || 0), 0);
          const tot = [...layers.values()].reduce((a, l) => a + (l.total || 0), 0);
          spinner.text = e.id ? `Pulling ${reference}: ${done}/${layers.size} layers${tot ? `, ${humanSize(cur)}/${humanSize(tot)}` : ''}` : e.status;
        } else if (e.status !== 'Downloading' && e.status !== 'Extracting') {
          process.stderr.write(e.id ? `${e.id}: ${e.status}\n` : `${e.status}\n`);
        }
      });
      s.on('end', () => resolve());
      s.on('error', (err) => reject(fromGrpcError(err)));
    });
  } catch (err) {
    spinner?.fail();
    throw err;
  }
  spinner?.succeed(`Pulled ${reference}`);
  return imageId;
}
