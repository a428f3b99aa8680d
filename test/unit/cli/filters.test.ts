import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilters, containerMatches, imageMatches, globMatch, PS_FILTERS, IMAGE_FILTERS } from '../../../src/cli/filters.js';

const web = { id: 'abc123', names: ['/web'], image: 'nginx:1.25', state: 'running', status: 'Up 3 minutes', labels: { tier: 'front' } };
const job = { id: 'def456', names: ['/job-1'], image: 'busybox', state: 'exited', status: 'Exited (3) 2 minutes ago', labels: {} };
const ps = (...f: string[]) => [web, job].filter((c) => containerMatches(c, parseFilters(f, PS_FILTERS))).map((c) => c.id);

test('ps filters: same key ORs, different keys AND', () => {
  assert.deepEqual(ps(), ['abc123', 'def456']);
  assert.deepEqual(ps('status=exited'), ['def456']);
  assert.deepEqual(ps('status=exited', 'status=running'), ['abc123', 'def456']);
  assert.deepEqual(ps('status=running', 'name=job'), []);
  assert.deepEqual(ps('name=job'), ['def456']);
  assert.deepEqual(ps('id=abc'), ['abc123']);
  assert.deepEqual(ps('label=tier'), ['abc123']);
  assert.deepEqual(ps('label=tier=back'), []);
  // Labels AND (Docker; compose lists a service by its project's and its service's label at once).
  assert.deepEqual(ps('label=tier', 'label=tier=front'), ['abc123']);
  assert.deepEqual(ps('label=tier', 'label=missing'), []);
  assert.deepEqual(ps('ancestor=nginx'), ['abc123']);
  assert.deepEqual(ps('ancestor=busybox:latest'), ['def456']);
  assert.deepEqual(ps('exited=3'), ['def456']);
  assert.deepEqual(ps('exited=0'), []);
});

test('unknown or malformed filters are refused', () => {
  assert.throws(() => parseFilters(['colour=red'], PS_FILTERS), /invalid filter 'colour=red'/);
  assert.throws(() => parseFilters(['status'], PS_FILTERS), /invalid filter/);
});

test('images filters: dangling and reference globs', () => {
  const tagged = { repoTags: ['kctl.test/busybox:latest'] };
  const dangling = { repoTags: [] };
  const f = (...x: string[]) => parseFilters(x, IMAGE_FILTERS);
  assert.equal(imageMatches(dangling, undefined, f('dangling=true')), true);
  assert.equal(imageMatches(tagged, tagged.repoTags[0], f('dangling=true')), false);
  assert.equal(imageMatches(tagged, tagged.repoTags[0], f('dangling=false')), true);
  assert.equal(imageMatches(tagged, tagged.repoTags[0], f('reference=kctl.test/*')), true);
  assert.equal(imageMatches(tagged, tagged.repoTags[0], f('reference=busy*')), false, '* does not cross /');
  assert.equal(imageMatches(tagged, tagged.repoTags[0], f('reference=*/busybox:lat*')), true);
  assert.equal(globMatch('a.b*', 'axb'), false, 'dots are literal');
});
