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

  test('create pulls a missing image as docker does: create first, pull on "No such image", create again', async (t) => {
    const reg = await FakeRegistry.start();
    const env = new KctlEnv('pullc');
    t.after(async () => { await env.teardown(); await reg.close(); });
    addTestImage(reg, 'app', '1', { layerSizes: [1000] });
    const ref = `${reg.host}/app:1`;

    const never = await env.run(['create', '--pull', 'never', ref, 'true']);
    assert.equal(never.code, 125);
    assert.match(never.stderr, new RegExp(`No such image: ${ref.replace(/[.]/g, '\\.')}`));
    assert.doesNotMatch(never.stderr, /Unable to find image/);
    assert.equal(await env.ok(['images', '-q']), '', '--pull never pulls nothing');

    const first = await env.run(['create', ref, 'true']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^[0-9a-f]{64}\n$/);
    assert.match(first.stderr, new RegExp(`Unable to find image '${ref.replace(/[.]/g, '\\.')}' locally`));
    const second = await env.run(['create', '-q', ref, 'true']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, '', 'present: no pull');
    // A missing network is the daemon's not-found too, and is not taken for a missing image.
    const noNet = await env.run(['create', '--network', 'nosuch-net', ref, 'true']);
    assert.equal(noNet.code, 125);
    assert.match(noNet.stderr, /network nosuch-net not found/);
    assert.doesNotMatch(noNet.stderr, /Unable to find image/);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim().split('\n').length, 2);
  });
});
