/**
 * The registry client and the puller against a fault-injecting fake registry: every knob of
 * test/fixtures/fake-registry.ts, and the credential rules (no Authorization to another origin).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { RootLayout } from '../../../src/core/paths.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { Puller, type ProgressEvent, type AuthConfig } from '../../../src/core/images/puller.js';
import { RegistryClient } from '../../../src/core/images/registry/client.js';
import { parseDaemonConfig, type DaemonConfig } from '../../../src/core/config.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { FakeRegistry, FakeTokenServer, addTestImage, sha256 } from '../../fixtures/fake-registry.js';

type T = { after: (fn: () => Promise<void> | void) => void };

async function setup(t: T, cfg: Partial<DaemonConfig> = {}) {
  const root = path.join(os.tmpdir(), `kctl-pull-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const reg = await FakeRegistry.start();
  t.after(() => reg.close());
  await fs.mkdir(root);
  const layout = new RootLayout(root);
  const content = new FsContentStore(layout.contentDir);
  const images = new JsonImageStore(layout.imagesDb);
  const config = parseDaemonConfig(cfg);
  const puller = new Puller({ layout, content, images, config: () => config, log: nullLogger, client: { retries: 3, backoffBaseMs: 1, backoffMaxMs: 5, retryAfterMaxMs: 50, timeoutMs: 5000 } });
  const events: ProgressEvent[] = [];
  const pull = (ref: string, o: { auth?: AuthConfig; platform?: string } = {}) => puller.pull(ref, { ...o, onProgress: (e) => events.push(e) });
  return { root, reg, content, images, puller, pull, events };
}

const kind = (k: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof KctlError, String(e));
  assert.equal(e.kind, k, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

test('pull by tag through an index: verified blobs, normalised record, Docker progress', async (t) => {
  const { reg, content, pull, events } = await setup(t);
  const img = addTestImage(reg, 'a/busybox', 'latest', { index: true });
  const rec = await pull(`${reg.host}/a/busybox`);
  assert.equal(rec.id, img.configDigest);
  assert.deepEqual(rec.repoTags, [`${reg.host}/a/busybox:latest`]);
  assert.deepEqual(rec.repoDigests, [`${reg.host}/a/busybox@${img.indexDigest}`]);
  assert.equal(rec.manifestDigest, img.manifestDigest);
  assert.deepEqual(rec.layers.map((l) => l.digest), img.layers.map((l) => l.digest));
  for (const l of img.layers) assert.ok(await content.has(l.digest));
  assert.ok(await content.has(img.manifestDigest));
  assert.ok(await content.has(img.indexDigest!));
  const statuses = events.map((e) => e.status);
  assert.equal(statuses[0], 'Pulling from a/busybox');
  assert.ok(statuses.includes('Pulling fs layer'));
  assert.ok(events.some((e) => e.status === 'Downloading' && e.progressDetail!.total === img.layers[1].size));
  assert.ok(statuses.includes('Download complete'));
  assert.ok(statuses.includes(`Digest: ${img.indexDigest}`));
  assert.equal(statuses.at(-1), `Status: Downloaded newer image for ${reg.host}/a/busybox:latest`);

  events.length = 0;
  const before = reg.requests.filter((r) => r.path.includes('/blobs/')).length;
  await pull(`${reg.host}/a/busybox:latest`);
  assert.equal(reg.requests.filter((r) => r.path.includes('/blobs/')).length, before, 'nothing downloaded again');
  assert.ok(events.some((e) => e.status === 'Already exists'));
  assert.equal(events.at(-1)!.status, `Status: Image is up to date for ${reg.host}/a/busybox:latest`);
});

test('pull by digest; platform selection and its error', async (t) => {
  const { reg, pull } = await setup(t);
  const img = addTestImage(reg, 'x', 'v1', { index: true });
  const rec = await pull(`${reg.host}/x@${img.manifestDigest}`);
  assert.deepEqual(rec.repoTags, []);
  assert.deepEqual(rec.repoDigests, [`${reg.host}/x@${img.manifestDigest}`]);
  await assert.rejects(pull(`${reg.host}/x:v1`, { platform: 'linux/s390x' }), kind('not_found', /no matching manifest for linux\/s390x in the manifest list entries/));
  await assert.rejects(pull(`${reg.host}/x:nope`), kind('not_found'));
});

test('a corrupted blob is refused and nothing is stored under its digest', async (t) => {
  const { reg, content, images, pull } = await setup(t);
  const img = addTestImage(reg, 'c', 'latest');
  reg.knobs.corruptBlobs = new Set([img.layers[1].digest]);
  await assert.rejects(pull(`${reg.host}/c`), kind('failed_precondition', /digest mismatch/));
  assert.equal(await content.has(img.layers[1].digest), false);
  assert.equal((await images.list()).length, 0);
});

test('a broken download resumes with a Range request', async (t) => {
  const { reg, content, pull } = await setup(t);
  const img = addTestImage(reg, 'r', 'latest', { layerSizes: [200_000] });
  reg.knobs.truncateBlobsAt = 50_000;
  await pull(`${reg.host}/r`);
  const gets = reg.requests.filter((r) => r.path.endsWith(img.layers[0].digest));
  assert.equal(gets.length, 2);
  assert.equal(gets[0].headers.range, undefined);
  assert.equal(gets[1].headers.range, 'bytes=50000-');
  assert.ok(await content.has(img.layers[0].digest));
});

test('a registry that ignores Range still yields the right blob', async (t) => {
  const { reg, content, pull } = await setup(t);
  const img = addTestImage(reg, 'r', 'latest', { layerSizes: [200_000] });
  reg.knobs.truncateBlobsAt = 50_000;
  reg.knobs.ignoreRange = true;
  await pull(`${reg.host}/r`);
  assert.ok(await content.has(img.layers[0].digest));
});

test('blob redirects to another origin never carry credentials', async (t) => {
  const { reg, pull } = await setup(t);
  const cdn = await FakeRegistry.start();
  t.after(() => cdn.close());
  const img = addTestImage(reg, 'p', 'latest');
  for (const l of img.layers) cdn.addBlob(reg['blobs'].get(l.digest)!);
  cdn.addBlob(reg['blobs'].get(img.configDigest)!);
  reg.knobs.basic = { username: 'u', password: 'secret' };
  reg.knobs.redirectBlobsTo = cdn.url;
  await pull(`${reg.host}/p`, { auth: { username: 'u', password: 'secret' } });
  assert.ok(cdn.requests.length >= 3, 'blobs came from the other origin');
  for (const r of cdn.requests) assert.equal(r.headers.authorization, undefined, `Authorization leaked to ${r.path}`);
  assert.ok(reg.requests.some((r) => r.headers.authorization?.startsWith('Basic ')), 'the registry itself got the credentials');
});

test('a registry that answers 401 forever ends in permission_denied, without looping', async (t) => {
  const { reg, pull } = await setup(t);
  addTestImage(reg, 'l', 'latest');
  reg.knobs.basic = { username: 'u', password: 'p' };
  reg.knobs.alwaysUnauthorized = true;
  await assert.rejects(pull(`${reg.host}/l`, { auth: { username: 'u', password: 'p' } }), kind('permission_denied', /pull access denied for l/));
  assert.ok(reg.requests.length <= 3, `${reg.requests.length} requests`);
  // No credentials at all.
  reg.knobs.alwaysUnauthorized = false;
  await assert.rejects(pull(`${reg.host}/l`), kind('permission_denied'));
});

test('429 with Retry-After and 5xx are retried a bounded number of times', async (t) => {
  const { reg, pull } = await setup(t);
  addTestImage(reg, 'b', 'latest');
  reg.knobs.failTimes = 2;
  reg.knobs.failStatus = 429;
  reg.knobs.retryAfter = '0';
  await pull(`${reg.host}/b`);
  const n = reg.requests.length;
  reg.knobs.failTimes = 1000;
  reg.knobs.failStatus = 503;
  await assert.rejects(pull(`${reg.host}/b:latest`), (e: unknown) => {
    kind('unavailable', /HTTP 503/)(e);
    const err = e as KctlError;
    assert.ok(!/\x1b/.test(err.detail ?? ''), 'control characters stripped');
    assert.ok((err.detail ?? '').length <= 310, 'error body truncated');
    return true;
  });
  assert.equal(reg.requests.length - n, 4, 'first try + 3 retries');
});

test('an endless blob is cut off at its declared size', async (t) => {
  const { reg, content, pull } = await setup(t);
  const img = addTestImage(reg, 'e', 'latest');
  // The config is fetched first: make it come through, then every blob GET is endless.
  const rec = pull(`${reg.host}/e`);
  reg.knobs.endlessBlobs = true;
  await assert.rejects(rec, kind('failed_precondition', /larger than/));
  assert.equal(await content.has(img.configDigest), false);
});

test('manifest validation: mediaType mismatch, ambiguity, schema 1, wrong Docker-Content-Digest', async (t) => {
  const { reg, pull } = await setup(t);
  const img = addTestImage(reg, 'm', 'latest');
  reg.knobs.manifestContentType = 'application/vnd.oci.image.index.v1+json';
  await assert.rejects(pull(`${reg.host}/m`), kind('failed_precondition', /disagrees with Content-Type/));
  reg.knobs.manifestContentType = undefined;

  const doc = JSON.parse(img.manifest.toString());
  reg.knobs.manifestBody = Buffer.from(JSON.stringify({ ...doc, mediaType: undefined, manifests: [] }));
  reg.knobs.dockerContentDigest = sha256(reg.knobs.manifestBody);
  await assert.rejects(pull(`${reg.host}/m`), kind('failed_precondition', /both an index and a manifest/));

  reg.knobs.manifestBody = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'm', tag: 'latest', fsLayers: [] }));
  reg.knobs.dockerContentDigest = sha256(reg.knobs.manifestBody);
  await assert.rejects(pull(`${reg.host}/m`), kind('failed_precondition', /schema 1/));

  reg.knobs.manifestBody = undefined;
  reg.knobs.dockerContentDigest = sha256('something else');
  await assert.rejects(pull(`${reg.host}/m`), kind('failed_precondition', /digest mismatch/));

  // By digest, the bytes themselves must hash to it (the header is not trusted).
  reg.knobs.dockerContentDigest = undefined;
  reg.knobs.manifestBody = Buffer.from(img.manifest.toString().replace('"layers"', ' "layers"'));
  await assert.rejects(pull(`${reg.host}/m@${img.manifestDigest}`), kind('failed_precondition', /manifest digest mismatch/));
});

test('Bearer token flow: credentials only to the realm, token reused across requests', async (t) => {
  const { reg, pull } = await setup(t);
  const tok = await FakeTokenServer.start('tok-' + randomBytes(8).toString('hex'), { username: 'alice', password: 'pw' });
  t.after(() => tok.close());
  addTestImage(reg, 'priv/app', 'latest', { index: true });
  reg.knobs.bearer = { realm: `${tok.url}/token`, service: 'fake', token: tok.token };
  await pull(`${reg.host}/priv/app`, { auth: { username: 'alice', password: 'pw' } });
  assert.equal(tok.requests.length, 1, 'one token for the whole pull');
  assert.match(tok.requests[0].path, /scope=repository%3Apriv%2Fapp%3Apull/);
  assert.match(tok.requests[0].path, /service=fake/);
  for (const r of reg.requests) assert.ok(!r.headers.authorization?.startsWith('Basic'), 'the registry never sees the password');
  assert.ok(reg.requests.some((r) => r.headers.authorization === `Bearer ${tok.token}`));

  await assert.rejects(pull(`${reg.host}/priv/app`, { auth: { username: 'alice', password: 'wrong' } }), kind('permission_denied', /incorrect username or password/));
});

test('a token realm that is plain http on a non-loopback host is refused before any request', async (t) => {
  const { reg, pull } = await setup(t);
  addTestImage(reg, 'q', 'latest');
  reg.knobs.bearer = { realm: 'http://auth.example.invalid/token', service: 's', token: 't' };
  await assert.rejects(pull(`${reg.host}/q`, { auth: { username: 'a', password: 'b' } }), kind('permission_denied', /not https/));
});

test('login check (ping) with Basic credentials', async (t) => {
  const reg = await FakeRegistry.start();
  t.after(() => reg.close());
  reg.knobs.basic = { username: 'u', password: 'p' };
  const mk = (password: string) => new RegistryClient({ base: reg.url, auth: { username: 'u', password }, allowHttp: () => true, retries: 0 });
  await mk('p').ping();
  await assert.rejects(mk('bad').ping(), kind('permission_denied'));
  assert.throws(() => new RegistryClient({ base: 'http://registry.example.com' }), kind('invalid_argument', /plain http/));
});

test('docker.io pulls go to the mirrors first, skipping a dead one', async (t) => {
  const dead = await FakeRegistry.start();
  const deadUrl = dead.url;
  await dead.close();
  const mirror = await FakeRegistry.start();
  t.after(() => mirror.close());
  const { pull } = await setup(t, { 'registry-mirrors': [deadUrl, mirror.url] });
  const img = addTestImage(mirror, 'library/busybox', 'latest');
  const rec = await pull('busybox');
  assert.equal(rec.id, img.configDigest);
  assert.deepEqual(rec.repoTags, ['docker.io/library/busybox:latest']);
  assert.deepEqual(rec.repoDigests, [`docker.io/library/busybox@${img.manifestDigest}`]);
  assert.ok(mirror.requests.some((r) => r.path === '/v2/library/busybox/manifests/latest'));
});

test('an aborted pull stops with canceled and stores no image', async (t) => {
  const { reg, puller, images } = await setup(t);
  addTestImage(reg, 'z', 'latest', { layerSizes: [3_000_000] });
  const ac = new AbortController();
  const p = puller.pull(`${reg.host}/z`, { signal: ac.signal, onProgress: (e) => { if (e.status === 'Downloading') ac.abort(); } });
  await assert.rejects(p, kind('canceled'));
  assert.equal((await images.list()).length, 0);
});
