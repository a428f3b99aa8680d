/**
 * Container output with real VMs: json-file rotation (--log-opt max-size/max-file) keeps max-file
 * files and `kctl logs` (--tail, -f, after the container stopped) spans them; and a guest that
 * floods stdout while the attached client does not read is held back (credit-based flow control
 * reaches the process) instead of kctld buffering without bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, KCTL_BIN, fixtures } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

function logFiles(root: string, id: string): string[] {
  const dir = path.join(root, 'containers', id);
  return fs.readdirSync(dir).filter((n) => n.startsWith(`${id}-json.log`)).map((n) => path.join(dir, n));
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

describe('logs rotation and output back-pressure', () => {
  const env = new KctlEnv('out');
  after(() => env.teardown());
  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });

  test('rotation keeps max-file files; logs and --tail span them, running and stopped', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', IMG,
      'sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done; exec sleep 600'])).trim();
    for (let i = 0; i < 300 && !(await env.ok(['logs', '--tail', '1', id])).includes('line 299'); i++) await sleep(100);
    const files = logFiles(env.root, id);
    assert.equal(files.length, 3, files.join(', '));
    for (const f of files) assert.ok(fs.statSync(f).size <= 2048, `${f}: ${fs.statSync(f).size} bytes`);
    const check = async () => {
      const lines = (await env.ok(['logs', id])).trim().split('\n');
      const first = Number(lines[0]!.split(' ')[1]);
      assert.ok(first > 0, 'the oldest lines went with the oldest file');
      assert.deepEqual(lines, Array.from({ length: 300 - first }, (_, i) => `line ${first + i}`));
      assert.equal(await env.ok(['logs', '--tail', '3', id]), 'line 297\nline 298\nline 299\n');
    };
    await check();
    await env.ok(['stop', '-t', '0', id]);
    await check();
    const bad = await env.run(['run', '--rm', '--log-opt', 'max-file=2', IMG, 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /max-file cannot be set without max-size/);
  });

  test('logs -f follows across rotations until the container exits', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=100', IMG,
      'sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo f $i; [ $((i % 20)) = 0 ] && sleep 0.5; i=$((i+1)); done'])).trim();
    const r = await env.run(['logs', '-f', id], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(logFiles(env.root, id).length > 3, 'the log rotated');
    assert.deepEqual(r.stdout.trim().split('\n'), Array.from({ length: 200 }, (_, i) => `f ${i}`));
    assert.deepEqual((await env.ok(['logs', id])).trim().split('\n'), Array.from({ length: 200 }, (_, i) => `f ${i}`));
  });

  test('a flood with a client that does not read is held back; kctld memory stays bounded', async () => {
    const FLOOD = 24 * 1024 * 1024;
    const line = 'x'.repeat(99);
    const id = (await env.ok(['run', '-d', '-q', IMG, 'sh', '-c',
      `while [ ! -e /go ]; do echo waiting; sleep 0.2; done; yes ${line} | head -c ${FLOOD}; echo done`])).trim();
    const daemon = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    const client = spawn(process.execPath, [KCTL_BIN, 'attach', '--no-stdin', id], { env: env.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let received = 0;
    let tailText = '';
    const exited = new Promise<number>((r) => client.on('close', (c) => r(c ?? -1)));
    after(() => { client.kill('SIGKILL'); });
    // The first output proves the attachment is in place; then the client stops reading.
    await new Promise<void>((resolve) => client.stdout.once('data', (d: Buffer) => { received += d.length; resolve(); }));
    client.stdout.pause();
    const rssBefore = rssBytes(daemon);
    await env.ok(['exec', id, 'touch', '/go']);

    // Wait (bounded) until the container's output stops moving: held back by the client.
    const logSize = () => logFiles(env.root, id).reduce((n, f) => n + fs.statSync(f).size, 0);
    let last = -1;
    let still = 0;
    for (let i = 0; i < 240 && still < 4; i++) {
      await sleep(500);
      const s = logSize();
      still = s === last ? still + 1 : 0;
      last = s;
    }
    const held = logSize();
    const rssHeld = rssBytes(daemon);
    // Without back-pressure the log would hold the whole flood (~1.5x in JSON) and kctld its buffers.
    assert.ok(held < FLOOD / 4, `the log grew to ${held} bytes while the client read nothing`);
    assert.ok(rssHeld - rssBefore < 16 * 1024 * 1024, `kctld RSS grew by ${rssHeld - rssBefore} bytes`);

    // Reading again lets everything through, in full.
    client.stdout.on('data', (d: Buffer) => { received += d.length; tailText = (tailText + d.toString('latin1')).slice(-16); });
    client.stdout.resume();
    assert.equal(await exited, 0);
    assert.ok(received >= FLOOD, `received ${received} of ${FLOOD} bytes`);
    assert.ok(tailText.endsWith('done\n'), JSON.stringify(tailText));
  });
});
