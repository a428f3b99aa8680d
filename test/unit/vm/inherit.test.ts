/**
 * The sockets kctld hands to a VM's processes (vm/inherit.ts), checked with real child processes:
 * what they inherit is blocking (virtiofsd's accept() needs it), the listening socket's path
 * survives kctld closing its copy, and the two ends of a pair talk to each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { inheritableListener, inheritablePair } from '../../../src/core/vm/inherit.js';

/** Runs python3 with `fds` as descriptors 3, 4, ...; resolves with its stdout. */
function child(code: string, fds: number[], input?: (p: ReturnType<typeof spawn>) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit', ...fds] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (c) => (c === 0 ? resolve(out) : reject(new Error(`python3 exited ${c}: ${out}`))));
    input?.(p);
  });
}

test('a listening socket: blocking in the child, its path kept after kctld closes its copy, connections reach the child', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-inherit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'fs0.sock');
  const l = await inheritableListener(file);
  const accepted = child(
    'import socket; s = socket.socket(fileno=3); print(s.getblocking()); c, _ = s.accept(); print(c.recv(5).decode())',
    [l.take()],
  );
  l.close();
  l.close(); // idempotent
  assert.throws(() => l.take(), /already closed/);
  assert.ok(fs.statSync(file).isSocket(), 'the path is still there');
  assert.deepEqual(fs.readdirSync(dir), ['fs0.sock'], 'no temporary name left');
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(file, () => c.end('hello', () => resolve()));
    c.on('error', reject);
  });
  assert.equal(await accepted, 'True\nhello\n');
});

test('a socket pair: both ends blocking, what one child writes the other reads, the rendezvous is gone', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-inherit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const [a, b] = await inheritablePair(path.join(dir, 'net0.pair'));
  assert.deepEqual(fs.readdirSync(dir), [], 'the rendezvous socket is removed');
  const reader = child('import socket; s = socket.socket(fileno=3); print(s.getblocking()); print(s.recv(4).decode())', [b.take()]);
  b.close();
  const writer = child('import socket; s = socket.socket(fileno=3); print(s.getblocking()); s.sendall(b"ping")', [a.take()]);
  a.close();
  assert.equal(await writer, 'True\n');
  assert.equal(await reader, 'True\nping\n');
});

test('a listening socket is never put over an existing path, nor left half-made', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-inherit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'taken'), 'keep');
  await assert.rejects(inheritableListener(path.join(dir, 'taken')), /already exists/);
  assert.equal(fs.readFileSync(path.join(dir, 'taken'), 'utf8'), 'keep');
  await assert.rejects(inheritableListener(path.join(dir, 'sub', 'fs0.sock')), /EACCES|ENOENT/);
  assert.deepEqual(fs.readdirSync(dir), ['taken']);
});
