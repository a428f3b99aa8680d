/** Image endpoints: create (pull), json (list), inspect, history, delete, tag, load, get, prune. */
import type { Engine } from '../../core/engine.js';
import { invalidArgument, toKctlError, unimplemented } from '../../core/errors.js';
import { familiarizeString, normalizeReference, familiarString } from '../../core/images/reference.js';
import { inspectImage } from '../../core/images/view.js';
import type { AuthConfig, ProgressEvent } from '../../core/images/puller.js';
import type { ImageRecord } from '../../core/images/types.js';
import { dockerMessage } from './errors.js';
import { qBool, qFilters, sendEmpty, sendJson, type Ctx, type Router } from './http.js';

/** X-Registry-Auth: base64url JSON of Docker's AuthConfig. */
export function authFromHeader(value: string | string[] | undefined): AuthConfig | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
  } catch {
    throw invalidArgument('invalid X-Registry-Auth header: base64-encoded JSON is expected');
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : undefined);
  const auth: AuthConfig = {
    username: s('username'), password: s('password'), auth: s('auth'), identitytoken: s('identitytoken'),
    registrytoken: s('registrytoken'), serveraddress: s('serveraddress'), email: s('email'),
  };
  return auth.username || auth.password || auth.auth || auth.identitytoken || auth.registrytoken ? auth : undefined;
}

function humanBytes(n: number): string {
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)}${u[i]}`;
}

/** Docker's JSON progress message for a puller event. */
export function progressMessage(e: ProgressEvent): Record<string, unknown> {
  const m: Record<string, unknown> = { status: e.status };
  if (e.progressDetail) {
    const { current, total } = e.progressDetail;
    m.progressDetail = { current, total };
    if (total > 0) {
      const width = 50;
      const done = Math.min(width, Math.floor((current / total) * width));
      m.progress = `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}] ${humanBytes(current)}/${humanBytes(total)}`;
    }
  }
  if (e.id) m.id = e.id;
  return m;
}

/** The reference `fromImage` + `tag` name (tag may be a digest). */
export function pullReference(fromImage: string, tag: string | null): string {
  if (!fromImage) throw invalidArgument('fromImage is required (kctl does not import images from a URL or body: use POST /images/load)');
  if (!tag) return fromImage;
  return tag.includes(':') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

export function imageSummary(i: ImageRecord, containers = -1): Record<string, unknown> {
  return {
    Id: i.id, ParentId: '', RepoTags: i.repoTags.map(familiarizeString), RepoDigests: i.repoDigests.map(familiarizeString),
    Created: Math.floor(Date.parse(i.created) / 1000) || 0, Size: i.size, SharedSize: -1, VirtualSize: i.size, Labels: {}, Containers: containers,
  };
}

/** Docker's reference filter: a glob over the familiar name[:tag]. */
function matchReference(pattern: string, tags: string[]): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return tags.some((t) => {
    const fam = familiarizeString(t);
    const name = fam.replace(/:[^:/]+$/, '');
    return re.test(fam) || re.test(name);
  });
}

export function imageRoutes(r: Router, engine: Engine): void {
  const images = engine.images;

  r.on('POST', '/images/create', async (ctx) => {
    if (ctx.query.get('fromSrc')) throw unimplemented('importing a root filesystem (fromSrc) is not supported; load an image archive with POST /images/load');
    const ref = pullReference(ctx.query.get('fromImage') ?? '', ctx.query.get('tag'));
    const auth = authFromHeader(ctx.req.headers['x-registry-auth']);
    const platform = ctx.query.get('platform') || undefined;
    const ac = new AbortController();
    const res = ctx.res!;
    res.on('close', () => { if (!res.writableFinished) ac.abort(); });
    let started = false;
    let downloaded = false;
    const write = (m: unknown) => {
      if (!started) {
        started = true;
        res.writeHead(200, { 'Content-Type': 'application/json' });
      }
      res.write(JSON.stringify(m) + '\n');
    };
    // No tag and none in the name: every tag of the repository (`docker pull --all-tags`). The docker
    // CLI, dockerode and docker-py all send tag=latest for an ordinary pull.
    const fromImage = ctx.query.get('fromImage') ?? '';
    const allTags = !ctx.query.get('tag') && !/[:@]/.test(fromImage.split('/').pop() ?? '');
    try {
      const opts = { platform, auth, signal: ac.signal, onProgress: (e: Parameters<typeof progressMessage>[0]) => { if (/Download|Pull complete|Extract/.test(e.status)) downloaded = true; write(progressMessage(e)); } };
      const img = allTags ? (await images.pullAllTags(ref, opts)).at(-1)! : await images.pull(ref, opts);
      const digest = img.repoDigests[0]?.split('@')[1];
      if (digest) write({ status: `Digest: ${digest}` });
      const name = familiarString(normalizeReference(ref));
      write({ status: downloaded ? `Status: Downloaded newer image for ${name}` : `Status: Image is up to date for ${name}` });
      res.end();
    } catch (err) {
      if (!started) throw err;
      const message = dockerMessage(toKctlError(err));
      res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\n');
    }
  });

  r.on('GET', '/images/json', async (ctx) => {
    const f = qFilters(ctx.query);
    for (const k of f.keys()) if (!['reference', 'dangling', 'label', 'before', 'since'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const dangling = f.get('dangling');
    if (dangling && dangling.some((d) => !['true', 'false', '1', '0'].includes(d))) throw invalidArgument(`invalid filter 'dangling=${dangling[0]}'`);
    const all = await images.listWithSizes();
    const used = new Map<string, number>();
    for (const c of engine.containers.list({ all: true })) used.set(c.ImageId, (used.get(c.ImageId) ?? 0) + 1);
    const out = all.filter((i) => {
      if (dangling?.length) {
        const want = dangling[0] === 'true' || dangling[0] === '1';
        if ((i.repoTags.length === 0) !== want) return false;
      }
      const refs = f.get('reference');
      if (refs?.length && !refs.some((p) => matchReference(p, i.repoTags))) return false;
      return true;
    });
    sendJson(ctx, 200, out.map((i) => imageSummary(i, used.get(i.id) ?? 0)));
  });

  r.on('GET', '/images/get', async (ctx) => exportImages(ctx, engine, ctx.query.getAll('names')));
  r.on('GET', '/images/{name*}/get', async (ctx) => exportImages(ctx, engine, [ctx.params[0]]));

  r.on('POST', '/images/load', async (ctx) => {
    const loaded = await images.load(ctx.req);
    const lines = loaded.flatMap((i) => (i.repoTags.length ? i.repoTags.map((t) => `Loaded image: ${familiarizeString(t)}`) : [`Loaded image ID: ${i.id}`]));
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(lines.map((l) => JSON.stringify({ stream: `${l}\n` }) + '\n').join(''));
  });

  r.on('POST', '/images/prune', async (ctx) => {
    const f = qFilters(ctx.query);
    const dangling = f.get('dangling')?.[0];
    sendJson(ctx, 200, await images.prune({ all: dangling === 'false' || dangling === '0' }));
  });

  r.on('GET', '/images/{name*}/json', async (ctx) => {
    const img = await images.get(ctx.params[0]);
    sendJson(ctx, 200, inspectImage(await images.withSize(img), await images.config(img)));
  });

  r.on('GET', '/images/{name*}/history', async (ctx) => {
    const img = await images.get(ctx.params[0]);
    const cfg = await images.config(img);
    const hist = (cfg.history ?? []).slice().reverse().map((h, i) => ({
      Id: i === 0 ? img.id : '<missing>', Created: Math.floor(Date.parse(h.created ?? '') / 1000) || 0,
      CreatedBy: h.created_by ?? '', Tags: i === 0 ? img.repoTags.map(familiarizeString) : null, Size: 0, Comment: h.comment ?? '',
    }));
    sendJson(ctx, 200, hist);
  });

  r.on('POST', '/images/{name*}/tag', async (ctx) => {
    const repo = ctx.query.get('repo');
    if (!repo) throw invalidArgument('repo is required');
    const tag = ctx.query.get('tag');
    await images.tag(ctx.params[0], tag ? `${repo}:${tag}` : repo);
    sendEmpty(ctx, 201);
  });

  r.on('POST', '/images/{name*}/push', async () => {
    throw unimplemented('kctl cannot push images yet');
  });
  r.on('GET', '/images/search', async () => {
    throw unimplemented('kctl cannot search registries');
  });
  r.on('POST', '/build', async () => {
    throw unimplemented('kctl does not build images; build with another tool and `docker load` the result');
  });

  r.on('DELETE', '/images/{name*}', async (ctx) => {
    const out = await images.remove(ctx.params[0], qBool(ctx.query, 'force'));
    sendJson(ctx, 200, [...out.untagged.map((u) => ({ Untagged: u })), ...out.deleted.map((d) => ({ Deleted: d }))]);
  });
}

async function exportImages(ctx: Ctx, engine: Engine, names: string[]): Promise<void> {
  if (!names.length) throw invalidArgument('no image names given');
  for (const n of names) await engine.images.get(n); // 404 before the stream starts
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await engine.images.save(names, res, 'docker-archive');
    res.end();
  } catch {
    res.destroy(); // the client sees a truncated archive, not a valid-looking one
  }
}

