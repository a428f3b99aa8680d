import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KctlError } from '../../../src/core/errors.js';
import { familiarName, familiarString, normalizeReference, parseNormalizedReference, parseReference, referenceString } from '../../../src/core/images/reference.js';

const D = 'sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff';
const D2 = 'sha256:1234567890098765432112345667890098765432112345667890098765432112';

// Cases ported from distribution/reference (reference_test.go TestReferenceParse, normalize_test.go).
const valid: Array<[string, string]> = [
  ['test_com', 'docker.io/library/test_com'],
  ['test.com:tag', 'docker.io/library/test.com:tag'],
  ['test.com:5000', 'docker.io/library/test.com:5000'],
  ['test.com/repo:tag', 'test.com/repo:tag'],
  ['test:5000/repo', 'test:5000/repo'],
  ['test:5000/repo:tag', 'test:5000/repo:tag'],
  [`test:5000/repo@${D}`, `test:5000/repo@${D}`],
  [`test:5000/repo:tag@${D}`, `test:5000/repo:tag@${D}`],
  ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase'],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux'],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
  ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com'],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
  [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`],
  [`example.com/${D2.slice(7)}`, `example.com/${D2.slice(7)}`],
  ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080'],
  ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080'],
  ['192.168.1.1', 'docker.io/library/192.168.1.1'],
  ['192.168.1.1:tag', 'docker.io/library/192.168.1.1:tag'],
  ['192.168.1.1:5000', 'docker.io/library/192.168.1.1:5000'],
  ['192.168.1.1/repo', '192.168.1.1/repo'],
  ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo'],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050'],
  ['[2001:db8::1]/repo', '[2001:db8::1]/repo'],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo:tag'],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo'],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag'],
  [`[2001:db8::1]:5000/repo@${D}`, `[2001:db8::1]:5000/repo@${D}`],
  ['[::1]:5000/x', '[::1]:5000/x'],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo'],
  ['[::1]/repo', '[::1]/repo'],
  ['localhost/repo', 'localhost/repo'],
  ['localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
  ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
  ['index.docker.io/nginx', 'docker.io/library/nginx'],
  ['docker.io/nginx', 'docker.io/library/nginx'],
  ['a__b/c.d-e---f', 'docker.io/a__b/c.d-e---f'],
  ['Foo.example.com/bar', 'Foo.example.com/bar'],
  [`nginx@${D}`, `docker.io/library/nginx@${D}`],
  [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
  // Exactly 255 characters of name, domain included.
  ['example.com/' + 'a/'.repeat(121) + 'a:tag', 'example.com/' + 'a/'.repeat(121) + 'a:tag'],
];

const invalid: Array<[string, RegExp]> = [
  ['', /at least one component/],
  [':justtag', /invalid reference format/],
  [`@${D}`, /invalid reference format/],
  ['repo@sha256:ffffffffffffffffffffffffffffffffff', /invalid checksum digest length/],
  ['validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', /unsupported digest algorithm/],
  ['Uppercase:tag', /must be lowercase/],
  ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
  ['a/'.repeat(128) + 'a:tag', /not be more than 255/],
  ['example.com/' + 'a/'.repeat(122) + 'a:tag', /not be more than 255/],
  ['aa/asdf$$^/aa', /invalid reference format/],
  ['[2001:db8::1]', /invalid reference format/],
  ['[fe80::1%eth0]:5000/repo', /invalid reference format/],
  ['[fe80::1%@invalidzone]:5000/repo', /invalid reference format/],
  ['[2001:db8::1]:tag/repo', /invalid reference format/],
  ['docker://nginx', /invalid reference format/],
  ['a' + ':' + 'x'.repeat(129), /invalid reference format/],
  ['ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', /64-byte hexadecimal/],
  ['foo__-bar', /invalid reference format/],
  ['-foo', /invalid reference format/],
  ['foo.', /invalid reference format/],
  ['foo/', /invalid reference format/],
  ['foo//bar', /invalid reference format/],
  [`repo@SHA256:${'f'.repeat(64)}`, /invalid/],
  [`repo@sha256:${'F'.repeat(64)}`, /invalid digest format/],
];

test('valid references normalise as Docker does', () => {
  for (const [input, want] of valid) {
    const r = parseNormalizedReference(input);
    if (want) assert.equal(referenceString(r), want, input);
    // Normalising the normalised form changes nothing.
    assert.equal(referenceString(parseNormalizedReference(referenceString(r))), referenceString(r), input);
  }
});

test('invalid references are refused with invalid_argument and a specific message', () => {
  for (const [input, re] of invalid) {
    assert.throws(() => parseNormalizedReference(input), (err: unknown) => {
      assert.ok(err instanceof KctlError, input);
      assert.equal(err.kind, 'invalid_argument', input);
      assert.match(err.message, re, input);
      assert.match(err.message, /^invalid reference format/, input);
      return true;
    });
  }
});

test('normalizeReference adds latest only when there is neither tag nor digest', () => {
  assert.equal(referenceString(normalizeReference('nginx')), 'docker.io/library/nginx:latest');
  assert.equal(referenceString(normalizeReference('busybox:1.36')), 'docker.io/library/busybox:1.36');
  assert.equal(referenceString(normalizeReference(`nginx@${D}`)), `docker.io/library/nginx@${D}`);
  const r = normalizeReference('[::1]:5000/x');
  assert.deepEqual({ domain: r.domain, path: r.path, tag: r.tag }, { domain: '[::1]:5000', path: 'x', tag: 'latest' });
});

test('parseReference keeps tag and digest separately', () => {
  const r = parseReference(`localhost:5000/a/b:t@${D}`);
  assert.deepEqual(r, { domain: 'localhost:5000', path: 'a/b', tag: 't', digest: D });
});

test('familiarName shortens docker.io names only', () => {
  assert.equal(familiarName('docker.io/library/nginx'), 'nginx');
  assert.equal(familiarName('docker.io/library/a/b'), 'library/a/b');
  assert.equal(familiarName('docker.io/foo/bar'), 'foo/bar');
  assert.equal(familiarName('localhost:5000/library/nginx'), 'localhost:5000/library/nginx');
  assert.equal(familiarString(normalizeReference('nginx')), 'nginx:latest');
  assert.equal(familiarString(normalizeReference('quay.io/x/y:1')), 'quay.io/x/y:1');
});
