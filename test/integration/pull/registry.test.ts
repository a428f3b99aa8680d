/**
 * Pull against the real registry (Debian's docker-registry): anonymous, htpasswd Basic and token
 * auth; by tag, by digest, a multi-arch index, and docker.io names through a registry mirror.
 * Images come from test/fixtures/build-images.sh (cached OCI layouts), pushed with skopeo.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { RootLayout } from '../../../src/core/paths.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { Puller, type AuthConfig, type ProgressEvent } from '../../../src/core/images/puller.js';
import { parseDaemonConfig, type DaemonConfig } from '../../../src/core/config.js';
import { checkCredentials } from '../../../src/core/images/registry/credentials.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { fixtureImages, startRegistry } from '../../fixtures/registry.js';

type T = { after: (fn: () => Promise<void> | void) => void };
let fx: Record<string, string>;

before(async () => {
  fx = await fixtureImages();
});

async function kctlRoot(t: T, cfg: Partial<DaemonConfig> = {}) {
  const root = path.join(os.tmpdir(), `kctl-itest-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  await fs.mkdir(root);
  const layout = new RootLayout(root);
  const content = new FsContentStore(layout.contentDir);
  const images = new JsonImageStore(layout.imagesDb);
  const config = parseDaemonConfig(cfg);
  const puller = new Puller({ layout, content, images, config: () => config, log: nullLogger });
  return { content, images, puller };
}

const denied = (e: unknown) => e instanceof KctlError && e.kind === 'permission_denied';

test('anonymous: by tag, by digest, multi-arch index', async (t) => {
  const reg = await startRegistry(t);
  const digest = await reg.push(fx.KCTL_FIXTURE_BUSYBOX, 'kctl/busybox:1');
  const { content, puller } = await kctlRoot(t);
  const events: ProgressEvent[] = [];
  const rec = await puller.pull(`${reg.host}/kctl/busybox:1`, { onProgress: (e) => events.push(e) });
  assert.deepEqual(rec.repoTags, [`${reg.host}/kctl/busybox:1`]);
  assert.deepEqual(rec.repoDigests, [`${reg.host}/kctl/busybox@${digest}`]);
  assert.equal(rec.manifestDigest, digest);
  for (const l of rec.layers) assert.ok(await content.has(l.digest));
  assert.ok(await content.has(rec.id));
  assert.equal(events.at(-1)!.status, `Status: Downloaded newer image for ${reg.host}/kctl/busybox:1`);

  const byDigest = await puller.pull(`${reg.host}/kctl/busybox@${digest}`);
  assert.equal(byDigest.id, rec.id);

  const indexDigest = await reg.push(fx.KCTL_FIXTURE_MULTIARCH, 'kctl/multi:latest', { all: true });
  const amd = await puller.pull(`${reg.host}/kctl/multi`);
  assert.equal(amd.platform.architecture, 'amd64');
  // The amd64 entry is the busybox image itself: one record, now with both names.
  assert.equal(amd.id, rec.id);
  assert.ok(amd.repoDigests.includes(`${reg.host}/kctl/multi@${indexDigest}`));
  assert.ok(amd.repoTags.includes(`${reg.host}/kctl/busybox:1`));
  assert.notEqual(amd.manifestDigest, indexDigest);
  const arm = await puller.pull(`${reg.host}/kctl/multi`, { platform: 'linux/arm64' });
  assert.equal(arm.platform.architecture, 'arm64');
  assert.notEqual(arm.id, amd.id);
});

test('htpasswd Basic auth: credentials accepted, missing or wrong ones refused', async (t) => {
  const reg = await startRegistry(t, { auth: 'htpasswd', users: { bob: 'b0b-pw' } });
  await reg.push(fx.KCTL_FIXTURE_BUSYBOX, 'priv/busybox:latest');
  const { puller } = await kctlRoot(t);
  const auth: AuthConfig = { username: 'bob', password: 'b0b-pw' };
  await assert.rejects(puller.pull(`${reg.host}/priv/busybox`), denied);
  await assert.rejects(puller.pull(`${reg.host}/priv/busybox`, { auth: { username: 'bob', password: 'nope' } }), denied);
  const rec = await puller.pull(`${reg.host}/priv/busybox`, { auth });
  assert.deepEqual(rec.repoTags, [`${reg.host}/priv/busybox:latest`]);
  const cfg = parseDaemonConfig({});
  await checkCredentials(reg.host, auth, cfg);
  await assert.rejects(checkCredentials(reg.host, { username: 'bob', password: 'x' }, cfg), denied);
});

test('token auth: the token service gets the credentials, the registry only the token', async (t) => {
  const reg = await startRegistry(t, { auth: 'token', users: { alice: 'al1ce-pw' } });
  await reg.push(fx.KCTL_FIXTURE_BUSYBOX, 'team/busybox:v1');
  const { content, puller } = await kctlRoot(t);
  const before = reg.tokenRequests.length;
  await assert.rejects(puller.pull(`${reg.host}/team/busybox:v1`), denied);
  await assert.rejects(puller.pull(`${reg.host}/team/busybox:v1`, { auth: { username: 'alice', password: 'wrong' } }), (e: unknown) => denied(e) && /incorrect username or password/.test((e as Error).message));
  const rec = await puller.pull(`${reg.host}/team/busybox:v1`, { auth: { username: 'alice', password: 'al1ce-pw' } });
  for (const l of rec.layers) assert.ok(await content.has(l.digest));
  const mine = reg.tokenRequests.slice(before).filter((r) => r.basicUser === 'alice');
  assert.ok(mine.some((r) => /scope=repository%3Ateam%2Fbusybox%3Apull/.test(r.path)));
  await checkCredentials(reg.host, { username: 'alice', password: 'al1ce-pw' }, parseDaemonConfig({}));
  await assert.rejects(checkCredentials(reg.host, { username: 'alice', password: 'x' }, parseDaemonConfig({})), denied);
});

test('docker.io names are pulled through registry-mirrors', async (t) => {
  const reg = await startRegistry(t);
  const digest = await reg.push(fx.KCTL_FIXTURE_BUSYBOX, 'library/busybox:latest');
  const { puller, images } = await kctlRoot(t, { 'registry-mirrors': [reg.url] });
  const rec = await puller.pull('busybox');
  assert.deepEqual(rec.repoTags, ['docker.io/library/busybox:latest']);
  assert.deepEqual(rec.repoDigests, [`docker.io/library/busybox@${digest}`]);
  assert.equal((await images.resolve('busybox'))?.id, rec.id);
});
