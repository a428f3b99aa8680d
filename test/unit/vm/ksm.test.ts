import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { enableKsm, ksmState } from '../../../src/core/vm/ksm.js';
import { parseDaemonConfig } from '../../../src/core/config.js';
import { defaultVmexecPath } from '../../../src/core/vm/driver.js';

test('KSM: state read from sysfs; enabling turns on run and use_zero_pages only when it was off', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(ksmState(path.join(dir, 'nope')), { available: false, running: false, pagesSharing: 0, zeroPages: 0 });
  assert.equal(enableKsm(path.join(dir, 'nope')), 'unavailable');
  for (const [f, v] of [['run', '0'], ['use_zero_pages', '0'], ['pages_sharing', '12'], ['ksm_zero_pages', '30']]) fs.writeFileSync(path.join(dir, f!), `${v}\n`);
  assert.deepEqual(ksmState(dir), { available: true, running: false, pagesSharing: 12, zeroPages: 30 });
  assert.equal(enableKsm(dir), 'enabled');
  assert.equal(fs.readFileSync(path.join(dir, 'run'), 'utf8'), '1');
  assert.equal(fs.readFileSync(path.join(dir, 'use_zero_pages'), 'utf8'), '1');
  // A host that runs KSM already keeps its own settings.
  fs.writeFileSync(path.join(dir, 'use_zero_pages'), '0');
  assert.equal(enableKsm(dir), 'already running');
  assert.equal(fs.readFileSync(path.join(dir, 'use_zero_pages'), 'utf8'), '0');
});

test('daemon.json "ksm" takes a boolean only', () => {
  assert.equal(parseDaemonConfig({ ksm: true }).ksm, true);
  assert.throws(() => parseDaemonConfig({ ksm: 'yes' }), /"ksm" must be true or false/);
});

test('kctl-vmexec: the program runs with its memory open to KSM, as the uid asked for', { skip: process.getuid?.() !== 0 || !fs.existsSync('/proc/self/ksm_stat') ? 'needs root and a kernel with PR_SET_MEMORY_MERGE' : false }, () => {
  const out = execFileSync(defaultVmexecPath(), ['--uid', '65534', '--', '/bin/sh', '-c', 'id -u; grep ksm_merge_any /proc/self/ksm_stat; grep CapEff /proc/self/status']).toString();
  assert.match(out, /^65534$/m);
  assert.match(out, /ksm_merge_any: yes/);
  assert.match(out, /CapEff:\s+0+$/m);
  assert.throws(() => execFileSync(defaultVmexecPath(), ['--', 'relative'], { stdio: 'pipe' }));
});
