/** `kctl pull` as a user runs it: output streams, --all-tags, by digest, errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KctlEnv } from '../helpers/kctl.js';
import { FakeRegistry, addTestImage } from '../../fixtures/fake-registry.js';

describe('kctl pull', () => {
  test('prints the full name on stdout and progress on stderr; by digest; --all-tags; bad references', async (t) => {
    const reg = await FakeRegistry.start();
    const env = new KctlEnv('pull');
    t.after(async () => { await env.teardown(); await reg.close(); });
    const one = addTestImage(reg, 'multi', '1', { layerSizes: [1000] });
    addTestImage(reg, 'multi', '2', { layerSizes: [2000] });

    const r = await env.run(['pull', `${reg.host}/multi:1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${reg.host}/multi:1\n`);
    assert.match(r.stderr, /Download complete|Pulling fs layer/);

    const q = await env.run(['pull', '-q', `${reg.host}/multi@${one.manifestDigest}`]);
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stderr, '');

    const all = await env.run(['pull', '-q', '--all-tags', `${reg.host}/multi`]);
    assert.equal(all.code, 0, all.stderr);
    const tags = (await env.ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).trim().split('\n').sort();
    assert.deepEqual(tags, [`${reg.host}/multi:1`, `${reg.host}/multi:2`]);

    const tagged = await env.run(['pull', '-a', `${reg.host}/multi:1`]);
    assert.equal(tagged.code, 125);
    assert.match(tagged.stderr, /tag can't be used with --all-tags/);

    const bad = await env.run(['pull', 'Not/Valid']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid reference format/);
    const missing = await env.run(['pull', `${reg.host}/nothing:1`]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /not found|unknown/i);
  });
});
