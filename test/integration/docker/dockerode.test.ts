/**
 * The Docker Engine API driven by dockerode, a real Docker client library: pull from a real
 * registry, create, attach (hijacked), start, wait, logs, exec, remove, against one kctld with
 * real microVMs. Output is demultiplexed with dockerode's own stdcopy implementation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { KctlEnv, fixtures } from '../helpers/kctl.js';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';

function collect(s: PassThrough): () => string {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return () => Buffer.concat(parts).toString();
}

function streamEnd(s: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    s.on('end', resolve);
    s.on('close', resolve);
    s.on('error', reject);
  });
}

describe('Docker Engine API with dockerode', () => {
  const env = new KctlEnv('dode');
  let docker: Dockerode;
  let reg: TestRegistry | undefined;
  let image: string;
  after(async () => {
    await env.teardown();
    await reg?.stop();
  });

  before(async () => {
    reg = await startRegistry(undefined);
    await reg.push(fixtures().KCTL_FIXTURE_BUSYBOX, 'library/busybox:1.0');
    image = `${reg.host}/library/busybox:1.0`;
    fs.chmodSync(env.root, 0o711); // as kctld makes a state root: VM helpers running as nobody (passt) traverse it
    await env.ok(['ps']); // starts the daemon for this root
    const { default: Docker } = await import('dockerode');
    docker = new Docker({ socketPath: path.join(env.root, 'docker.sock') });
  });

  test('ping and version answer as Docker does', async () => {
    assert.equal(String(await docker.ping()), 'OK');
    const v = await docker.version();
    assert.equal(v.ApiVersion, '1.43');
    assert.equal(v.Os, 'linux');
  });

  test('pull streams Docker progress messages and the image is listed', async () => {
    const out = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      docker.pull(image, (err: Error | null, stream: NodeJS.ReadableStream) => {
        if (err) return reject(err);
        docker.modem.followProgress(stream, (e: Error | null, res: Array<Record<string, unknown>>) => (e ? reject(e) : resolve(res)));
      });
    });
    assert.ok(out.some((m) => typeof m.status === 'string' && /^Digest: sha256:[0-9a-f]{64}$/.test(m.status as string)), JSON.stringify(out));
    const list = await docker.listImages({ filters: { reference: [`${reg!.host}/library/busybox`] } });
    assert.equal(list.length, 1);
    assert.deepEqual(list[0].RepoTags, [image]);
  });

  test('create, attach, start, wait: stdout and stderr arrive apart, the exit code comes from wait', async () => {
    const c = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 4'], AttachStdout: true, AttachStderr: true });
    const stream = await c.attach({ stream: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const err = new PassThrough();
    const outText = collect(out);
    const errText = collect(err);
    c.modem.demuxStream(stream, out, err);
    const ended = streamEnd(stream);
    const waited = c.wait({ condition: 'next-exit' });
    await c.start();
    const res = await waited;
    await ended;
    assert.equal(res.StatusCode, 4);
    assert.equal(outText(), 'to-out\n');
    assert.equal(errText(), 'to-err\n');

    const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const lo = new PassThrough();
    const le = new PassThrough();
    const loText = collect(lo);
    const leText = collect(le);
    const src = new PassThrough();
    c.modem.demuxStream(src, lo, le);
    src.end(logs);
    await new Promise((r) => setImmediate(r));
    assert.equal(loText(), 'to-out\n');
    assert.equal(leText(), 'to-err\n');

    const onlyErr = (await c.logs({ stdout: false, stderr: true })) as unknown as Buffer;
    assert.equal(onlyErr[0], 2, 'a stderr frame');
    assert.ok(!onlyErr.includes(Buffer.from('to-out')));

    const info = await c.inspect();
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 4);
    await c.remove();
    await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  test('exec runs in a running container: output, exit code, inspect', async (t) => {
    const c = await docker.createContainer({ Image: image, Cmd: ['sleep', '600'] });
    t.after(() => c.remove({ force: true }).catch(() => undefined));
    await c.start();
    const ex = await c.exec({ Cmd: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 6'], AttachStdout: true, AttachStderr: true });
    const stream = await ex.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const err = new PassThrough();
    const outText = collect(out);
    const errText = collect(err);
    c.modem.demuxStream(stream, out, err);
    await streamEnd(stream);
    assert.equal(outText(), 'exec-out\n');
    assert.equal(errText(), 'exec-err\n');
    const info = await ex.inspect();
    assert.equal(info.Running, false);
    assert.equal(info.ExitCode, 6);

    const listed = await docker.listContainers({ filters: { status: ['running'] } });
    assert.ok(listed.some((l) => l.Id === c.id));
    await c.remove({ force: true });
    const after2 = await docker.listContainers({ all: true });
    assert.ok(!after2.some((l) => l.Id === c.id));
  });

  test('events stream Docker-shaped container events, filtered by container name', async () => {
    const name = `ev-${process.pid}`;
    const stream = (await docker.getEvents({ filters: { container: [name] } })) as NodeJS.ReadableStream & { destroy(): void };
    const seen: Array<{ Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }> = [];
    let buf = '';
    const destroyed = new Promise<void>((resolve) => {
      stream.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line) continue;
          const e = JSON.parse(line);
          seen.push(e);
          if (e.Action === 'destroy') resolve();
        }
      });
    });
    try {
      const c = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'exit 2'], name, HostConfig: { AutoRemove: true } });
      await c.start();
      await Promise.race([destroyed, new Promise((_, reject) => setTimeout(() => reject(new Error(`no destroy event; saw ${JSON.stringify(seen)}`)), 60000).unref())]);
    } finally {
      stream.destroy();
    }
    assert.deepEqual(seen.map((e) => e.Action), ['create', 'start', 'die', 'destroy']);
    for (const e of seen) {
      assert.equal(e.Type, 'container');
      assert.equal(e.Actor.Attributes.name, name);
      assert.equal(e.Actor.Attributes.image, image);
    }
    assert.equal(seen[2].Actor.Attributes.exitCode, '2');
  });

  test('a client that abandons a hijacked attach leaves the container and the daemon serving', async (t) => {
    const c = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'while true; do echo tick; sleep 0.2; done'] });
    t.after(() => c.remove({ force: true }).catch(() => undefined));
    const early = (await c.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    early.destroy(); // gone before the container even starts
    await c.start();
    const live = (await c.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    await new Promise<void>((resolve) => live.once('data', () => resolve()));
    live.destroy(); // mid-stream
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await c.inspect()).State.Status, 'running');
    const logs = (await c.logs({ stdout: true, tail: 1 })) as unknown as Buffer;
    assert.match(logs.subarray(8).toString(), /^tick\n$/);
    assert.equal(String(await docker.ping()), 'OK');
  });

  test('stdin through a hijacked attach reaches the container; StdinOnce closes it', async (t) => {
    const c = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'read line; echo "got:$line"'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true });
    t.after(() => c.remove({ force: true }).catch(() => undefined));
    const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const outText = collect(out);
    c.modem.demuxStream(stream, out, new PassThrough());
    const ended = streamEnd(stream);
    const waited = c.wait({ condition: 'next-exit' });
    await c.start();
    stream.write('hello\n');
    const res = await waited;
    await ended;
    assert.equal(res.StatusCode, 0);
    assert.equal(outText(), 'got:hello\n');
  });
});
