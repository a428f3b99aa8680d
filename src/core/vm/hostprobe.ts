/**
 * Runs native/out/kctl-hostprobe (the KVM self-test and TSC rate probe) and parses its one line of
 * key=value output. See native/kctl-hostprobe.c for what is measured and why.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { internal, tail, unavailable } from '../errors.js';
import { packageRoot } from './assets.js';

export type KvmVerdict = 'usable' | 'slow' | 'unavailable';

export interface ProbeResult {
  kvm: KvmVerdict;
  reason: string;
  /** Time the guest loop ran (or ran until the budget stopped it); undefined when KVM did not run. */
  kvmMicros?: number;
  /** Host TSC rate; undefined when it could not be determined. */
  tscKhz?: number;
  tscSource: 'cpuid' | 'measured' | 'none';
  tscInvariant: boolean;
  probeMicros: number;
}

/** Splits `k=v k2="quoted \"v\""` into a map. Unknown keys are kept; malformed input throws. */
export function parseKeyValues(line: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const s = line.trim();
  while (i < s.length) {
    while (s[i] === ' ') i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`expected key=value at ${JSON.stringify(s.slice(i, i + 20))}`);
    const key = s.slice(i, eq);
    if (!/^[a-z_][a-z0-9_]*$/.test(key)) throw new Error(`bad key ${JSON.stringify(key)}`);
    i = eq + 1;
    let value = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error(`unterminated quoted value for ${key}`);
        const c = s[i++];
        if (c === '"') break;
        if (c === '\\' && i < s.length) value += s[i++];
        else value += c;
      }
    } else {
      const sp = s.indexOf(' ', i);
      value = sp < 0 ? s.slice(i) : s.slice(i, sp);
      i = sp < 0 ? s.length : sp;
    }
    out.set(key, value);
  }
  return out;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function parseProbeOutput(stdout: string): ProbeResult {
  const line = stdout.split('\n').find((l) => l.startsWith('kvm='));
  if (!line) throw new Error('no kvm= line in the output');
  const kv = parseKeyValues(line);
  const kvm = kv.get('kvm');
  if (kvm !== 'usable' && kvm !== 'slow' && kvm !== 'unavailable') throw new Error(`unknown kvm verdict ${JSON.stringify(kvm)}`);
  const kvmUs = int(kv.get('kvm_us'));
  const tsc = int(kv.get('tsc_khz'));
  const src = kv.get('tsc_source');
  return {
    kvm,
    reason: kv.get('reason') ?? '',
    kvmMicros: kvmUs !== undefined && kvmUs >= 0 ? kvmUs : undefined,
    // A rate outside 100 MHz..20 GHz is a broken measurement: leave it unknown rather than hang a guest.
    tscKhz: tsc !== undefined && tsc >= 100_000 && tsc <= 20_000_000 ? tsc : undefined,
    tscSource: src === 'cpuid' || src === 'measured' ? src : 'none',
    tscInvariant: kv.get('tsc_invariant') === '1',
    probeMicros: int(kv.get('probe_us')) ?? 0,
  };
}

export function defaultProbePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KCTL_HOSTPROBE ? path.resolve(env.KCTL_HOSTPROBE) : path.join(packageRoot(), 'native', 'out', 'kctl-hostprobe');
}

/** Runs the probe (bounded: 5 s). Throws unavailable when it is not built or misbehaves. */
export function runHostProbe(binary = defaultProbePath(), timeoutMs = 5000): Promise<ProbeResult> {
  if (!fs.existsSync(binary)) {
    return Promise.reject(unavailable(`host probe ${binary} is not built`, { hint: 'run `make -C native` (part of `npm run setup`)' }));
  }
  return new Promise((resolve, reject) => {
    execFile(binary, [], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(unavailable(`host probe ${binary} failed: ${err.message.split('\n')[0]}`, { detail: tail(String(stderr)), cause: err }));
        return;
      }
      try {
        resolve(parseProbeOutput(String(stdout)));
      } catch (e) {
        reject(internal(`host probe printed unexpected output: ${(e as Error).message}`, { detail: tail(String(stdout)) }));
      }
    });
  });
}
