import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseKeyValues, parseProbeOutput, runHostProbe } from '../../../src/core/vm/hostprobe.js';
import { isKctlError } from '../../../src/core/errors.js';

test('key=value parsing handles quoted values with escapes', () => {
  const kv = parseKeyValues('kvm=slow reason="a \\"quoted\\" \\\\ reason" n=5');
  assert.equal(kv.get('kvm'), 'slow');
  assert.equal(kv.get('reason'), 'a "quoted" \\ reason');
  assert.equal(kv.get('n'), '5');
  assert.throws(() => parseKeyValues('kvm=slow reason="unterminated'));
  assert.throws(() => parseKeyValues('noequals'));
});

test('a slow nested-KVM result parses into TCG-relevant facts', () => {
  const r = parseProbeOutput(
    'kvm=slow reason="a 100000-iteration guest loop did not finish within 50 ms (nested or throttled KVM)" kvm_us=50055 kvm_setup_us=6637 kvm_iters=100000 kvm_budget_ms=50 tsc_khz=2596118 tsc_source=measured tsc_invariant=1 probe_us=101106\n',
  );
  assert.equal(r.kvm, 'slow');
  assert.match(r.reason, /did not finish within 50 ms/);
  assert.equal(r.kvmMicros, 50055);
  assert.equal(r.tscKhz, 2596118);
  assert.equal(r.tscSource, 'measured');
  assert.equal(r.tscInvariant, true);
  assert.equal(r.probeMicros, 101106);
});

test('unavailable KVM and a broken TSC measurement', () => {
  const r = parseProbeOutput('kvm=unavailable reason="cannot open /dev/kvm: No such file or directory" kvm_us=-1 tsc_khz=0 tsc_source=none tsc_invariant=0 probe_us=30000');
  assert.equal(r.kvm, 'unavailable');
  assert.equal(r.kvmMicros, undefined);
  assert.equal(r.tscKhz, undefined);
  assert.equal(r.tscSource, 'none');
  assert.equal(parseProbeOutput('kvm=usable reason="" tsc_khz=99999999999').tscKhz, undefined);
});

test('garbage output is an error, not a verdict', () => {
  assert.throws(() => parseProbeOutput('hello'));
  assert.throws(() => parseProbeOutput('kvm=maybe reason=""'));
});

test('a missing probe binary is reported as unavailable with a setup hint', async () => {
  const missing = path.join(os.tmpdir(), `kctl-no-such-probe-${process.pid}`);
  await assert.rejects(runHostProbe(missing), (e: unknown) => isKctlError(e, 'unavailable') && /make -C native/.test(e.hint ?? ''));
});

test('a probe that prints nonsense is reported as a bug', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-probe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fake = path.join(dir, 'probe');
  fs.writeFileSync(fake, '#!/bin/sh\necho nonsense\n', { mode: 0o755 });
  await assert.rejects(runHostProbe(fake), (e: unknown) => isKctlError(e, 'internal') && /nonsense/.test(e.detail ?? ''));
});
