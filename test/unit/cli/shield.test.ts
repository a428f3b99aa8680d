import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shieldContainerArgv } from '../../../src/cli/argv.js';

const flags = {
  detach: { type: 'boolean', char: 'd' },
  interactive: { type: 'boolean', char: 'i' },
  tty: { type: 'boolean', char: 't' },
  rm: { type: 'boolean' },
  env: { type: 'option', char: 'e' },
  name: { type: 'option' },
};
const of = (cmd: string) => (['run', 'create', 'exec'].includes(cmd) ? flags : undefined);

test('--help after the image is shielded from oclif with a -- before the image', () => {
  assert.deepEqual(shieldContainerArgv(['run', '--rm', 'busybox', 'ls', '--help'], of), ['run', '--rm', '--', 'busybox', 'ls', '--help']);
  assert.deepEqual(shieldContainerArgv(['container', 'run', '-e', 'A=--help', 'img', '--help'], of), ['container', 'run', '-e', 'A=--help', '--', 'img', '--help']);
  assert.deepEqual(shieldContainerArgv(['exec', '-it', 'web', 'sh', '--help'], of), ['exec', '-it', '--', 'web', 'sh', '--help']);
});

test('--help among the options still asks for kctl help', () => {
  assert.deepEqual(shieldContainerArgv(['run', '--help'], of), ['run', '--help']);
  assert.deepEqual(shieldContainerArgv(['run', '--rm', '--help', 'img', 'ls'], of), ['run', '--rm', '--help', 'img', 'ls']);
});

test('an option value that looks like a word is not taken for the image', () => {
  // --name takes a value: "web" is not the image, so --help after it is still kctl's.
  assert.deepEqual(shieldContainerArgv(['run', '--name', 'web', '--help'], of), ['run', '--name', 'web', '--help']);
});

test('other commands and an existing -- are left alone', () => {
  assert.deepEqual(shieldContainerArgv(['ps', 'x', '--help'], of), ['ps', 'x', '--help']);
  assert.deepEqual(shieldContainerArgv(['run', '--', 'img', '--help'], of), ['run', '--', 'img', '--help']);
  assert.deepEqual(shieldContainerArgv(['run', 'img', 'ls'], of), ['run', 'img', 'ls']);
});
