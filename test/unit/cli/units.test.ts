import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBytes, humanSize } from '../../../src/cli/units.js';
import { exitCodeFor, formatError } from '../../../src/cli/exit.js';
import { KctlError } from '../../../src/core/errors.js';

test('Docker size notation', () => {
  assert.equal(parseBytes('512m'), 512 * 1024 * 1024);
  assert.equal(parseBytes('1g'), 1024 ** 3);
  assert.equal(parseBytes('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('4096'), 4096);
  assert.equal(parseBytes('64kb'), 65536);
  assert.throws(() => parseBytes('lots'), /invalid size: 'lots'/);
  assert.throws(() => parseBytes('-1m'), /invalid size/);
});

test('human sizes are decimal like Docker', () => {
  assert.equal(humanSize(1_234_567), '1.23MB');
  assert.equal(humanSize(999), '999B');
});

test('exit codes: 127 not found, 126 cannot invoke, 125 otherwise', () => {
  assert.equal(exitCodeFor('command_not_found'), 127);
  assert.equal(exitCodeFor('cannot_invoke'), 126);
  assert.equal(exitCodeFor('not_found'), 125);
  assert.equal(exitCodeFor('internal'), 125);
});

test('errors print one line, then the external output and the hint', () => {
  const text = formatError(new KctlError('unavailable', 'QEMU failed to start', { detail: 'qemu: bad\nqemu: worse', hint: 'run kctl info' }));
  assert.equal(text, 'kctl: QEMU failed to start\n  | qemu: bad\n  | qemu: worse\n  hint: run kctl info');
  assert.match(formatError(new KctlError('internal', 'x')), /bug in kctl/);
});
