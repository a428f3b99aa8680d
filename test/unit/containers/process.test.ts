import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveProcess, mergeEnv, DEFAULT_PATH } from '../../../src/core/containers/process.js';
import type { ContainerSpec } from '../../../src/core/containers/types.js';
import type { ImageConfig } from '../../../src/core/images/types.js';

const spec = (o: Partial<ContainerSpec> = {}): ContainerSpec => ({ image: 'x', env: [], labels: {}, tty: false, openStdin: false, memoryBytes: 0, cpus: 0, autoRemove: false, ...o });
const image = (c: ImageConfig['config']): ImageConfig => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: c });

test("the image's entrypoint and cmd, and overrides, as Docker resolves them", () => {
  const img = image({ Entrypoint: ['/entry'], Cmd: ['--default'] });
  assert.deepEqual(resolveProcess(spec(), img).args, ['/entry', '--default']);
  assert.deepEqual(resolveProcess(spec({ cmd: ['run'] }), img).args, ['/entry', 'run']);
  // --entrypoint drops the image's Cmd.
  assert.deepEqual(resolveProcess(spec({ entrypoint: ['sh'] }), img).args, ['sh']);
  assert.deepEqual(resolveProcess(spec({ entrypoint: [], cmd: ['ls'] }), img).args, ['ls']);
  assert.throws(() => resolveProcess(spec({ entrypoint: [] }), img), /No command specified/);
});

test('env: PATH default, image env, then user env wins by key', () => {
  const p = resolveProcess(spec({ env: ['A=user', 'C=3'], hostname: 'h1', tty: true }), image({ Env: ['A=image', 'B=2'], Cmd: ['sh'] }));
  assert.deepEqual(p.env, [`PATH=${DEFAULT_PATH}`, 'A=user', 'B=2', 'HOSTNAME=h1', 'TERM=xterm', 'C=3']);
  assert.throws(() => mergeEnv(['A=\0']), /NUL/);
});

test('working directory and user come from the spec, then the image', () => {
  const img = image({ Cmd: ['sh'], WorkingDir: '/srv', User: 'app' });
  assert.equal(resolveProcess(spec(), img).cwd, '/srv');
  assert.equal(resolveProcess(spec({ workingDir: '/tmp' }), img).cwd, '/tmp');
  assert.equal(resolveProcess(spec(), img).user, 'app');
  assert.equal(resolveProcess(spec({ user: '0' }), img).user, '0');
  assert.throws(() => resolveProcess(spec({ workingDir: 'rel' }), img), /needs to be an absolute path/);
});
