/**
 * Malformed requests on kctld's gRPC socket: garbage bytes, invalid messages, streams used out of
 * order, oversized messages, clients that vanish. Each gets a clear status (or a closed connection)
 * and the daemon keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import type * as grpcT from '@grpc/grpc-js';
import { KctlEnv } from '../helpers/kctl.js';
import { loadContract } from '../../../src/api/grpc/load.js';

describe('malformed gRPC requests', () => {
  const env = new KctlEnv('grpc');
  let grpc: typeof grpcT;
  let clients: { system: any; containers: any; images: any };
  after(async () => {
    for (const c of Object.values(clients ?? {})) c.close();
    await env.teardown();
  });
  before(async () => {
    await env.ok(['ps']); // starts the daemon
    const contract = await loadContract();
    grpc = contract.grpc;
    const addr = `unix://${path.join(env.root, 'kctld.sock')}`;
    const creds = grpc.credentials.createInsecure();
    const v1 = contract.proto.kctl.v1;
    clients = { system: new v1.System(addr, creds), containers: new v1.Containers(addr, creds), images: new v1.Images(addr, creds) };
  });

  const unary = (client: any, method: string, req: unknown) =>
    new Promise<{ err: grpcT.ServiceError | null; res: any }>((resolve) => client[method](req, { deadline: Date.now() + 10000 }, (err: grpcT.ServiceError | null, res: any) => resolve({ err, res })));
  const alive = async () => {
    const { err, res } = await unary(clients.system, 'Ping', {});
    assert.equal(err, null);
    assert.ok(res.pid > 0);
  };

  test('garbage bytes and a truncated HTTP/2 preface on the socket: the connection is closed, the daemon serves on', async () => {
    for (const payload of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04'), Buffer.alloc(70000, 0xff)]) {
      await new Promise<void>((resolve) => {
        const s = net.connect(path.join(env.root, 'kctld.sock'));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.on('connect', () => { s.write(payload); setTimeout(() => s.destroy(), 300); });
      });
    }
    await alive();
  });

  test('invalid messages get invalid_argument or not_found, never an internal error', async () => {
    const noImage = await unary(clients.containers, 'Create', { config: { image: '' } });
    assert.equal(noImage.err?.code, grpc.status.INVALID_ARGUMENT);
    const badRef = await unary(clients.containers, 'Create', { config: { image: 'UPPER/Case' } });
    assert.equal(badRef.err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(badRef.err!.details, /invalid reference format/);
    const badName = await unary(clients.containers, 'Create', { config: { image: 'busybox', name: '../etc' } });
    assert.ok([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND].includes(badName.err!.code));
    const traversal = await unary(clients.images, 'Inspect', { reference: 'sha256:../../etc/passwd' });
    assert.ok([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND].includes(traversal.err!.code));
    const badSignal = await unary(clients.containers, 'Kill', { id: 'nope', signal: 'SIGNOPE' });
    assert.ok([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND].includes(badSignal.err!.code));
    const badTail = await new Promise<grpcT.ServiceError>((resolve) => {
      const s = clients.containers.Logs({ id: 'nope', tail: '-5' });
      s.on('data', () => undefined);
      s.on('error', resolve);
    });
    assert.equal(badTail.code, grpc.status.NOT_FOUND);
    await alive();
  });

  test('an attach stream that sends stdin before open, or opens a missing container, ends with a status', async () => {
    const first = await new Promise<grpcT.ServiceError | undefined>((resolve) => {
      const s = clients.containers.Attach();
      s.on('data', () => undefined);
      s.on('error', resolve);
      s.on('end', () => resolve(undefined));
      s.write({ stdin: Buffer.from('too early') });
      s.write({ open: { id: 'no-such-container', stdout: true } });
    });
    assert.equal(first?.code, grpc.status.NOT_FOUND);
    const exec = await new Promise<grpcT.ServiceError | undefined>((resolve) => {
      const s = clients.containers.Exec();
      s.on('data', () => undefined);
      s.on('error', resolve);
      s.write({ open: { container: 'no-such-container', cmd: ['true'] } });
    });
    assert.equal(exec?.code, grpc.status.NOT_FOUND);
    await alive();
  });

  test('an oversized message is refused; a client that vanishes mid-stream leaves the daemon serving', async () => {
    const huge = await unary(clients.containers, 'Create', { config: { image: 'busybox', env: [`X=${'a'.repeat(20 * 1024 * 1024)}`] } });
    assert.equal(huge.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    // A load stream that sends half an archive and disappears.
    const load = clients.images.Load(() => undefined);
    load.write({ data: Buffer.alloc(1024 * 1024, 1) });
    load.cancel();
    // A logs follower that disappears.
    const logs = clients.containers.Logs({ id: 'nope', follow: true });
    logs.on('error', () => undefined);
    logs.cancel();
    await alive();
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
  });
});
