/**
 * Kernel same-page merging (KSM) on the host. kctl's VM processes always start with their private
 * memory open to merging (native/kctl-vmexec.c); whether pages are actually merged is the host's
 * setting, /sys/kernel/mm/ksm/run, which kctld turns on only when daemon.json says `"ksm": true`.
 */
import fs from 'node:fs';
import path from 'node:path';

const KSM_DIR = '/sys/kernel/mm/ksm';

export interface KsmState {
  /** The host has KSM at all (the sysfs directory exists). */
  available: boolean;
  /** ksmd is merging (run = 1). */
  running: boolean;
  /** Pages that share a merged page, and empty pages folded into the zero page (4 KiB each). */
  pagesSharing: number;
  zeroPages: number;
}

function read(name: string, dir: string): number {
  try {
    return Number(fs.readFileSync(path.join(dir, name), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

export function ksmState(dir = KSM_DIR): KsmState {
  const available = fs.existsSync(path.join(dir, 'run'));
  return { available, running: available && read('run', dir) === 1, pagesSharing: read('pages_sharing', dir), zeroPages: read('ksm_zero_pages', dir) };
}

/** Turns KSM on (daemon.json "ksm": true). Returns what happened, for the daemon's log. */
export function enableKsm(dir = KSM_DIR): 'enabled' | 'already running' | 'unavailable' | string {
  const st = ksmState(dir);
  if (!st.available) return 'unavailable';
  if (st.running) return 'already running';
  try {
    // Empty pages (most of an idle passt's buffers) fold into the kernel's zero page: no KSM page
    // to keep, and they merge in the first scan that sees them. Only set here, where kctl is the
    // one turning KSM on; a host that runs KSM already keeps its own settings.
    try { fs.writeFileSync(path.join(dir, 'use_zero_pages'), '1'); } catch { /* older kernels: merged as ordinary pages */ }
    fs.writeFileSync(path.join(dir, 'run'), '1');
    return 'enabled';
  } catch (err) {
    return `not enabled: ${(err as Error).message}`;
  }
}
