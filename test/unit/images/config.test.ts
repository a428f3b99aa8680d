import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { isInsecureRegistry, loadDaemonConfig, parseDaemonConfig, updateDaemonConfig } from '../../../src/core/config.js';

const bad = (re: RegExp) => (e: unknown) => e instanceof KctlError && e.kind === 'invalid_argument' && re.test(e.message);

test('defaults, normalisation and rejection naming the key', () => {
  assert.deepEqual(parseDaemonConfig({}), { 'registry-mirrors': [], 'insecure-registries': [] });
  assert.deepEqual(parseDaemonConfig({ 'registry-mirrors': ['http://127.0.0.1:5000/'] })['registry-mirrors'], ['http://127.0.0.1:5000']);
  assert.throws(() => parseDaemonConfig({ 'registry-mirror': [] }), bad(/unknown key "registry-mirror"/));
  assert.throws(() => parseDaemonConfig({ 'registry-mirrors': 'http://x' }), bad(/"registry-mirrors" must be a list/));
  assert.throws(() => parseDaemonConfig({ 'registry-mirrors': ['ftp://x'] }), bad(/scheme/));
  assert.throws(() => parseDaemonConfig({ 'registry-mirrors': ['https://u:p@x'] }), bad(/credentials/));
  assert.throws(() => parseDaemonConfig({ 'registry-mirrors': ['https://x/v2/'] }), bad(/no path/));
  assert.throws(() => parseDaemonConfig({ 'insecure-registries': ['http://x:5000'] }), bad(/should not contain/));
  assert.throws(() => parseDaemonConfig({ 'insecure-registries': ['10.0.0.0/40'] }), bad(/CIDR/));
  assert.throws(() => parseDaemonConfig([]), bad(/JSON object/));
});

test('insecure registries: loopback always, others when listed', () => {
  const cfg = parseDaemonConfig({ 'insecure-registries': ['reg.local:5000', '10.1.0.0/16'] });
  for (const h of ['127.0.0.1:5000', '127.9.9.9', 'localhost:5000', '[::1]:5000', 'reg.local:5000', '10.1.2.3:443']) assert.ok(isInsecureRegistry(h, cfg), h);
  for (const h of ['reg.local:5001', '10.2.0.1', 'docker.io', '128.0.0.1:5000', '[::2]:5000']) assert.ok(!isInsecureRegistry(h, cfg), h);
});

test('load and update keep unrelated keys', async (t) => {
  const dir = path.join(os.tmpdir(), `kctl-cfg-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.mkdir(dir);
  const file = path.join(dir, 'daemon.json');
  assert.deepEqual((await loadDaemonConfig(file))['registry-mirrors'], []);
  await fs.writeFile(file, '{ "insecure-registries": ["a:1"] }');
  await updateDaemonConfig(file, (raw) => { raw['registry-mirrors'] = ['http://127.0.0.1:5000']; });
  const cfg = await loadDaemonConfig(file);
  assert.deepEqual(cfg, { 'registry-mirrors': ['http://127.0.0.1:5000'], 'insecure-registries': ['a:1'] });
  await fs.writeFile(file, '{ nope');
  await assert.rejects(loadDaemonConfig(file), bad(/invalid JSON/));
});
