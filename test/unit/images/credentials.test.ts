import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { DOCKER_HUB_KEY, credentialKey, login, readCredentials, removeCredentials, saveCredentials } from '../../../src/core/images/registry/credentials.js';
import { parseDaemonConfig } from '../../../src/core/config.js';
import { FakeRegistry } from '../../fixtures/fake-registry.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = path.join(os.tmpdir(), `kctl-cred-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.mkdir(dir);
  return dir;
}

test('keys: Docker Hub aliases share the legacy key', () => {
  for (const r of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io']) assert.equal(credentialKey(r), DOCKER_HUB_KEY);
  assert.equal(credentialKey('https://Localhost:5000/v2/'), 'localhost:5000');
});

test('auths: read, write (0600, other keys kept), remove', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'config.json');
  await fs.writeFile(file, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('bob:pa:ss').toString('base64') } }, psFormat: 'x' }));
  assert.deepEqual(await readCredentials('docker.io', { file }), { serveraddress: DOCKER_HUB_KEY, username: 'bob', password: 'pa:ss' });
  assert.equal(await readCredentials('localhost:5000', { file }), undefined);
  await saveCredentials('localhost:5000', { username: 'u', password: 'p' }, { file });
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  const saved = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal(saved.psFormat, 'x');
  assert.equal(saved.auths['localhost:5000'].auth, Buffer.from('u:p').toString('base64'));
  assert.equal((await readCredentials('http://localhost:5000', { file }))?.password, 'p');
  assert.equal(await removeCredentials('localhost:5000', { file }), true);
  assert.equal(await readCredentials('localhost:5000', { file }), undefined);
  assert.equal(await removeCredentials('localhost:5000', { file }), false);
});

test('credential helpers: get/store/erase, not-found, and a hung helper is bounded', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'config.json');
  const store = path.join(dir, 'store.json');
  const helper = path.join(dir, 'docker-credential-kctltest');
  await fs.writeFile(helper, `#!/bin/sh
in=$(cat)
case "$1" in
  get) if [ -f "${store}" ]; then cat "${store}"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) printf '%s' "$in" > "${store}" ;;
  erase) rm -f "${store}" ;;
esac
`, { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'docker-credential-hang'), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
  const oldPath = process.env.PATH;
  process.env.PATH = `${dir}:${oldPath}`;
  t.after(async () => { process.env.PATH = oldPath; });

  await fs.writeFile(file, JSON.stringify({ credsStore: 'kctltest', credHelpers: { 'slow.example': 'hang' } }));
  assert.equal(await readCredentials('reg.example', { file }), undefined);
  await saveCredentials('reg.example', { username: 'u', password: 's3' }, { file });
  assert.deepEqual(JSON.parse(await fs.readFile(store, 'utf8')), { ServerURL: 'reg.example', Username: 'u', Secret: 's3' });
  assert.equal(JSON.parse(await fs.readFile(file, 'utf8')).auths, undefined, 'the secret is not written to config.json');
  assert.equal((await readCredentials('reg.example', { file }))?.password, 's3');
  await removeCredentials('reg.example', { file });
  assert.equal(await readCredentials('reg.example', { file }), undefined);
  await assert.rejects(readCredentials('slow.example', { file, helperTimeoutMs: 300 }), (e: unknown) => e instanceof KctlError && e.kind === 'deadline_exceeded');
  await fs.writeFile(file, JSON.stringify({ credsStore: 'absent-helper' }));
  await assert.rejects(readCredentials('x.example', { file }), /not installed/);
});

test('login checks the credentials with the registry before saving them', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'config.json');
  const reg = await FakeRegistry.start();
  t.after(() => reg.close());
  reg.knobs.basic = { username: 'u', password: 'right' };
  const config = parseDaemonConfig({});
  await assert.rejects(login(reg.host, 'u', 'wrong', { file, config }), (e: unknown) => e instanceof KctlError && e.kind === 'permission_denied');
  await assert.rejects(fs.stat(file), /ENOENT/);
  assert.equal((await login(reg.host, 'u', 'right', { file, config })).status, 'Login Succeeded');
  assert.equal((await readCredentials(reg.host, { file }))?.password, 'right');
});
