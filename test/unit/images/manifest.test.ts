import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KctlError } from '../../../src/core/errors.js';
import { digestOf } from '../../../src/core/images/digest.js';
import { parseImageConfig, parseManifest, parsePlatform, selectPlatform } from '../../../src/core/images/manifest.js';
import { MediaTypes, type Descriptor } from '../../../src/core/images/types.js';

const d = (s: string) => digestOf(s);
const manifestDoc = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: MediaTypes.ociManifest,
  config: { mediaType: MediaTypes.ociConfig, digest: d('c'), size: 10 },
  layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: d('l'), size: 20 }],
  ...extra,
});
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));
const refused = (re: RegExp) => (e: unknown) => e instanceof KctlError && e.kind === 'failed_precondition' && re.test(e.message);

test('a valid manifest is parsed from its exact bytes and its digest is theirs', () => {
  const b = buf(manifestDoc());
  const m = parseManifest(b, { contentType: MediaTypes.ociManifest, expectedDigest: digestOf(b) });
  assert.equal(m.kind, 'manifest');
  assert.equal(m.digest, digestOf(b));
  // Without a mediaType field, the Content-Type decides; without both, the shape does.
  const noMt = buf({ ...manifestDoc(), mediaType: undefined });
  assert.equal(parseManifest(noMt, { contentType: MediaTypes.dockerManifest }).mediaType, MediaTypes.dockerManifest);
  assert.equal(parseManifest(noMt, { contentType: 'application/octet-stream' }).mediaType, MediaTypes.ociManifest);
});

test('digest checks: requested digest and Docker-Content-Digest', () => {
  const b = buf(manifestDoc());
  assert.throws(() => parseManifest(b, { expectedDigest: d('x') }), refused(/digest mismatch/));
  assert.throws(() => parseManifest(b, { headerDigest: d('x') }), refused(/digest mismatch/));
  assert.throws(() => parseManifest(b, { headerDigest: 'sha256:zz' }), refused(/malformed Docker-Content-Digest/));
  assert.throws(() => parseManifest(b, { expectedDigest: 'sha256:../../x' }), (e: unknown) => e instanceof KctlError && e.kind === 'invalid_argument');
});

test('refused documents', () => {
  const cases: Array<[unknown, string | undefined, RegExp]> = [
    [{ ...manifestDoc(), manifests: [] }, undefined, /both an index and a manifest/],
    [{ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [], config: manifestDoc().config }, undefined, /both an index and a manifest/],
    [manifestDoc(), MediaTypes.ociIndex, /disagrees with Content-Type/],
    [{ ...manifestDoc(), mediaType: MediaTypes.ociIndex }, undefined, /does not match the document/],
    [{ schemaVersion: 1, fsLayers: [] }, MediaTypes.dockerSchema1Signed, /schema 1/],
    [{ schemaVersion: 2, mediaType: MediaTypes.dockerSchema1 }, undefined, /schema 1/],
    [{ ...manifestDoc(), schemaVersion: 3 }, undefined, /schemaVersion/],
    [manifestDoc({ layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: 'sha256:../../etc', size: 1 }] }), undefined, /invalid digest/],
    [manifestDoc({ layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: d('l'), size: -1 }] }), undefined, /invalid size/],
    [manifestDoc({ layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: d('l'), size: 1, urls: ['https://evil.example/x'] }] }), undefined, /foreign layer/],
    [manifestDoc({ layers: [{ mediaType: MediaTypes.dockerForeignLayerGzip, digest: d('l'), size: 1 }] }), undefined, /foreign layer/],
    [manifestDoc({ layers: [{ mediaType: 'application/x-whatever', digest: d('l'), size: 1 }] }), undefined, /unsupported media type/],
    [manifestDoc({ config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: d('c'), size: 1 } }), undefined, /not a container image/],
    [[1, 2], undefined, /not a JSON object/],
  ];
  for (const [doc, ct, re] of cases) {
    assert.throws(() => parseManifest(buf(doc), { contentType: ct }), refused(re), `${JSON.stringify(doc).slice(0, 80)} -> ${re}`);
  }
  // Duplicate keys: the same bytes must mean one thing to every parser.
  const dup = Buffer.from(`{"schemaVersion":2,"mediaType":"${MediaTypes.ociManifest}","config":${JSON.stringify(manifestDoc().config)},"layers":[],"layers":${JSON.stringify(manifestDoc().layers)}}`);
  assert.throws(() => parseManifest(dup), refused(/duplicate key "layers"/));
  assert.throws(() => parseManifest(Buffer.alloc(4 * 1024 * 1024 + 1, 32)), refused(/larger than/));
});

test('platform selection', () => {
  const entry = (p: Record<string, string>, mt: string = MediaTypes.ociManifest): Descriptor => ({ mediaType: mt, digest: d(JSON.stringify(p) + mt), size: 1, platform: p as never });
  const list = [
    entry({ os: 'unknown', architecture: 'unknown' }),
    entry({ os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry({ os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry({ os: 'linux', architecture: 'amd64' }),
  ];
  assert.equal(selectPlatform(list, parsePlatform('linux/amd64')), list[4]);
  assert.equal(selectPlatform(list, parsePlatform('linux/arm64')), list[3]);
  assert.equal(selectPlatform(list, parsePlatform('linux/arm')), list[2]);
  assert.equal(selectPlatform(list, parsePlatform('linux/arm/v6')), list[1]);
  assert.equal(selectPlatform(list, parsePlatform('x86_64')), list[4]);
  assert.throws(() => selectPlatform(list.slice(0, 4), parsePlatform('linux/amd64')), (e: unknown) => e instanceof KctlError && e.kind === 'not_found' && /no matching manifest for linux\/amd64 in the manifest list entries/.test(e.message));
  assert.throws(() => parsePlatform('linux/../x'), (e: unknown) => e instanceof KctlError && e.kind === 'invalid_argument');
});

test('config validation', () => {
  const cfg = (o: Record<string, unknown> = {}) => buf({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [d('a')] }, config: { Cmd: ['sh'], Env: ['A=b'] }, ...o });
  assert.equal(parseImageConfig(cfg(), 1).os, 'linux');
  assert.throws(() => parseImageConfig(cfg(), 2), refused(/1 diff_ids for 2 layers/));
  assert.throws(() => parseImageConfig(cfg({ rootfs: { type: 'layers', diff_ids: ['sha256:nope'] } }), 1), refused(/diff_ids/));
  assert.throws(() => parseImageConfig(cfg({ config: { Cmd: 'sh' } }), 1), refused(/Cmd/));
  assert.throws(() => parseImageConfig(cfg({ os: 1 }), 1), refused(/os or architecture/));
  assert.throws(() => parseImageConfig(Buffer.from('{"os":"linux","os":"windows"}'), 0), refused(/duplicate key/));
});
