/**
 * kctld's sockets: 0600, and behind that a check of every connection's peer credentials. The check
 * is shown by loosening a socket's mode on purpose: another uid then connects, and is turned away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { KctlEnv } from '../helpers/kctl.js';

describe('API sockets', () => {
  const env = new KctlEnv('sock');
  after(() => env.teardown());
  before(async () => { await env.ok(['ps']); });
  const curlAs = (user: string, sock: string) =>
    spawnSync('runuser', ['-u', user, '--', 'curl', '-sS', '--max-time', '5', '--unix-socket', sock, 'http://docker/_ping'], { encoding: 'utf8' });

  test('both sockets are 0600 and owned by the daemon user; the private gRPC socket is in a 0700 directory', () => {
    for (const name of ['kctld.sock', 'docker.sock']) {
      const st = fs.statSync(path.join(env.root, name));
      assert.equal(st.mode & 0o777, 0o600, name);
      assert.equal(st.uid, process.getuid!());
    }
    assert.equal(fs.statSync(path.join(env.root, 'run')).mode & 0o777, 0o700);
  });

  test('root is served; another uid cannot connect, and is refused even when the mode is loosened', () => {
    const sock = path.join(env.root, 'docker.sock');
    const root = spawnSync('curl', ['-sS', '--max-time', '5', '--unix-socket', sock, 'http://docker/_ping'], { encoding: 'utf8' });
    assert.equal(root.stdout, 'OK');
    const denied = curlAs('nobody', sock);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /Permission denied|Couldn't connect/i);

    fs.chmodSync(sock, 0o666);
    try {
      const refused = curlAs('nobody', sock);
      assert.notEqual(refused.status, 0, 'the peer check turns nobody away');
      assert.doesNotMatch(refused.stdout, /OK/);
    } finally {
      fs.chmodSync(sock, 0o600);
    }
    const log = fs.readFileSync(path.join(env.root, 'kctld.log'), 'utf8');
    assert.match(log, /refused a connection from a peer that is not allowed.*"peerUid":65534/);
    assert.equal(spawnSync('curl', ['-sS', '--max-time', '5', '--unix-socket', sock, 'http://docker/_ping'], { encoding: 'utf8' }).stdout, 'OK');
  });
});
