import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { digestOf } from '../../../src/core/images/digest.js';
import type { ImageRecord } from '../../../src/core/images/types.js';

async function tempStore(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = path.join(os.tmpdir(), `kctl-is-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.mkdir(dir);
  return new JsonImageStore(path.join(dir, 'images.json'));
}

function rec(seed: string, tags: string[], digests: string[] = []): ImageRecord {
  return {
    id: digestOf(`config-${seed}`), repoTags: tags, repoDigests: digests, manifestDigest: digestOf(`manifest-${seed}`),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [], diffIds: [], size: 0,
    created: '2024-01-01T00:00:00Z', loadedAt: new Date().toISOString(), platform: { os: 'linux', architecture: 'amd64' },
  };
}

test('resolves by name, tag, digest, id and id prefix', async (t) => {
  const store = await tempStore(t);
  const m = digestOf('manifest-a');
  const a = rec('a', ['docker.io/library/busybox:latest'], [`docker.io/library/busybox@${m}`]);
  await store.put(a);
  for (const q of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', `busybox@${m}`, a.id, a.id.slice(7), a.id.slice(7, 11), `sha256:${a.id.slice(7, 19)}`]) {
    assert.equal((await store.resolve(q))?.id, a.id, q);
  }
  assert.equal(await store.resolve('busybox:other'), undefined);
  assert.equal(await store.resolve('nginx'), undefined);
  assert.equal(await store.resolve(a.id.slice(7, 10)), undefined); // 3 chars: too short for a prefix
});

test('put normalises names; a tag moves to the newest image; the old one becomes dangling', async (t) => {
  const store = await tempStore(t);
  await store.put(rec('a', ['busybox', 'busybox:1'], ['busybox@' + digestOf('manifest-a')]));
  const a = (await store.resolve('busybox'))!;
  assert.deepEqual(a.repoTags, ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1']);
  assert.deepEqual(a.repoDigests, [`docker.io/library/busybox@${digestOf('manifest-a')}`]);
  await store.put(rec('b', ['busybox:latest']));
  assert.equal((await store.resolve('busybox'))!.id, digestOf('config-b'));
  assert.deepEqual((await store.resolve(a.id))!.repoTags, ['docker.io/library/busybox:1']);
  await store.put(rec('c', ['busybox:1']));
  const old = (await store.resolve(a.id))!;
  assert.deepEqual(old.repoTags, []);
  assert.equal((await store.list()).length, 3, 'a dangling image is still listed');
  // Putting the same id again merges names.
  await store.put(rec('b', ['x:y']));
  assert.deepEqual((await store.resolve('x:y'))!.repoTags.sort(), ['docker.io/library/busybox:latest', 'docker.io/library/x:y']);
});

test('untag removes one name; remove deletes; ambiguous prefixes are a conflict', async (t) => {
  const store = await tempStore(t);
  await store.put(rec('a', ['a:1', 'a:2']));
  const after = await store.untag('a:1');
  assert.deepEqual(after?.repoTags, ['docker.io/library/a:2']);
  assert.equal(await store.untag('a:1'), undefined);
  await store.remove(after!.id);
  assert.equal(await store.resolve('a:2'), undefined);
  await assert.rejects(store.remove(after!.id), (e: unknown) => e instanceof KctlError && e.kind === 'not_found');

  // Find two ids that share a 4-hex prefix.
  const byPrefix = new Map<string, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const p = digestOf(`config-${i}`).slice(7, 11);
    const prev = byPrefix.get(p);
    if (prev !== undefined) pair = [prev, String(i)];
    else byPrefix.set(p, String(i));
  }
  await store.put(rec(pair[0], []));
  await store.put(rec(pair[1], []));
  const prefix = digestOf(`config-${pair[0]}`).slice(7, 11);
  await assert.rejects(store.resolve(prefix), (e: unknown) => e instanceof KctlError && e.kind === 'conflict');
});

test('concurrent puts do not lose updates', async (t) => {
  const store = await tempStore(t);
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(rec(String(i), [`img${i}:latest`]))));
  assert.equal((await store.list()).length, 20);
  const mode = (await fs.stat(store.file)).mode & 0o777;
  assert.equal(mode, 0o600);
});
