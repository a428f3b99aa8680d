import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitDockerArgv } from '../../../src/cli/argv.js';

const flags = {
  detach: { type: 'boolean', char: 'd' },
  interactive: { type: 'boolean', char: 'i' },
  tty: { type: 'boolean', char: 't' },
  rm: { type: 'boolean' },
  env: { type: 'option', char: 'e' },
  publish: { type: 'option', char: 'p' },
  name: { type: 'option' },
};

test('everything after the image belongs to the container', () => {
  const r = splitDockerArgv(['--rm', 'busybox', 'ls', '-la', '/', '--rm', '-e', 'X=1'], flags);
  assert.deepEqual(r.options, ['--rm']);
  assert.deepEqual(r.positionals, ['busybox', 'ls', '-la', '/', '--rm', '-e', 'X=1']);
});

test('repeatable option flags take exactly one value each (not greedy)', () => {
  const r = splitDockerArgv(['-e', 'A=1', '-e', 'B=2', '--name', 'x', 'img', 'cmd'], flags);
  assert.deepEqual(r.options, ['-e', 'A=1', '-e', 'B=2', '--name', 'x']);
  assert.deepEqual(r.positionals, ['img', 'cmd']);
});

test('combined short flags are expanded, with a trailing value flag', () => {
  assert.deepEqual(splitDockerArgv(['-it', 'img'], flags), { options: ['-i', '-t'], positionals: ['img'] });
  assert.deepEqual(splitDockerArgv(['-dp', '80:80', 'img'], flags), { options: ['-d', '-p', '80:80'], positionals: ['img'] });
  assert.deepEqual(splitDockerArgv(['-p80:80', 'img'], flags), { options: ['-p', '80:80'], positionals: ['img'] });
  assert.deepEqual(splitDockerArgv(['-e=A=1', 'img'], flags), { options: ['-e', 'A=1'], positionals: ['img'] });
});

test('--name=value and -- are honoured', () => {
  assert.deepEqual(splitDockerArgv(['--name=web', '--', '-weird-image', 'x'], flags), { options: ['--name=web'], positionals: ['-weird-image', 'x'] });
});

test('unknown flags are passed through for the parser to reject', () => {
  const r = splitDockerArgv(['--bogus', 'img'], flags);
  assert.deepEqual(r.options, ['--bogus']);
  assert.deepEqual(r.positionals, ['img']);
});
