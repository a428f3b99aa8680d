/**
 * The bench's I/O figures (issue #5): what crosses the VM boundary, each beside the same work done
 * without a VM in the same run.
 *
 *   8 network  HTTP requests per second through a published port (`-p`) into busybox httpd in a
 *              container, beside the same httpd binary on the host's loopback, both driven by
 *              ApacheBench (`ab`) with the same request count and concurrency; and the throughput of
 *              a download between two containers on a user-defined network (through kctl-netswitch)
 *              beside the same download over the guest's own loopback (the guest TCP stack alone).
 *   9 storage  sequential read of a 256 MiB file on a read-only bind mount (virtio-fs) inside the
 *              container, beside `cat` of the same file on the host; page cache warm on both sides.
 *
 * Times inside a container are taken on the host (the guest clock under TCG is not trusted) as
 * `kctl exec` of the work minus the median `kctl exec C true`, so the CLI and exec overhead cancel.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onCleanup, timedOk, type Timed } from './harness.js';
import { fmtMs, median, ratio } from './stats.js';
import type { KctlEnv } from '../integration/helpers/kctl.js';
import { freePort } from '../fixtures/registry.js';

export interface IoBench {
  readonly env: KctlEnv;
  readonly work: string;
  readonly o: { reps: number };
  results: { figures: Record<string, unknown> };
  kctl(args: string[], timeoutMs?: number): Promise<Timed>;
  kctlOk(args: string[], timeoutMs?: number): Promise<Timed>;
  rootfs(): string;
  row(r: { figure: string; measure: string; kctl: string; baseline: string; ratio?: number; note?: string }): void;
}

const IMAGE = 'kctl.test/busybox';
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** ApacheBench against a URL: requests per second (new connection per request, as ab does without -k). */
async function ab(url: string, n: number, c: number): Promise<number> {
  const r = await timedOk('ab', ['-q', '-n', String(n), '-c', String(c), '-s', '30', url], { timeoutMs: 300_000 });
  const m = /Requests per second:\s+([\d.]+)/.exec(r.stdout);
  const failed = Number(/Failed requests:\s+(\d+)/.exec(r.stdout)?.[1] ?? '0');
  if (!m || failed > 0) throw new Error(`ab ${url}: ${failed} failed requests\n${r.stdout.slice(-400)}`);
  return Number(m[1]);
}

async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Median of `kctl exec C sh -c work` minus the median of `kctl exec C true`, over reps. */
async function execMs(b: IoBench, id: string, work: string, reps: number): Promise<number> {
  const base: number[] = [];
  const t: number[] = [];
  await b.kctlOk(['exec', id, 'sh', '-c', work]); // warm: page cache, translated code
  for (let i = 0; i < reps; i++) {
    base.push((await b.kctlOk(['exec', id, 'true'])).ms);
    t.push((await b.kctlOk(['exec', id, 'sh', '-c', work])).ms);
  }
  return Math.max(1, median(t) - median(base));
}

export async function networkFigure(b: IoBench): Promise<void> {
  const n = 400;
  const c = 4;
  log(`network: ab -n ${n} -c ${c} through -p into busybox httpd vs the same httpd on the host; a download between two containers on a user network`);
  const www = path.join(b.work, 'www');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'f'), Buffer.alloc(1024, 'k'));
  // The baseline: the image's own busybox binary serving the same 1 KiB file on the host.
  const hostPort = await freePort();
  const httpd = spawn(path.join(b.rootfs(), 'bin', 'busybox'), ['httpd', '-f', '-p', `127.0.0.1:${hostPort}`, '-h', www], { stdio: 'ignore' });
  const dropHttpd = onCleanup('host httpd', () => { httpd.kill('SIGKILL'); });
  const port = await freePort();
  const id = (await b.kctlOk(['run', '-d', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sh', '-c', 'mkdir -p /www && head -c 1024 /dev/zero | tr "\\0" k > /www/f && exec httpd -f -p 80 -h /www'])).stdout.trim();
  const dropC = onCleanup(`container ${id}`, async () => { await b.kctl(['rm', '-f', id], 60_000); });
  let k: number;
  let h: number;
  try {
    await waitHttp(`http://127.0.0.1:${port}/f`);
    await waitHttp(`http://127.0.0.1:${hostPort}/f`);
    await ab(`http://127.0.0.1:${port}/f`, 50, c); // warm-up
    k = await ab(`http://127.0.0.1:${port}/f`, n, c);
    h = await ab(`http://127.0.0.1:${hostPort}/f`, n, c);
  } finally {
    await b.kctl(['rm', '-f', id], 60_000);
    dropC();
    httpd.kill('SIGKILL');
    dropHttpd();
  }
  b.row({ figure: '8 network', measure: `HTTP req/s through \`-p\` into busybox httpd (ab -n ${n} -c ${c}, 1 KiB)`, kctl: `${k.toFixed(0)} req/s`, baseline: `${h.toFixed(0)} req/s (same httpd on the host's loopback)`, ratio: ratio(k, h) });

  // Between two containers on a user-defined network: 4 x 16 MiB over HTTP, beside the same download over the server's own loopback.
  await b.kctlOk(['network', 'create', 'benchnet']);
  const dropNet = onCleanup('network benchnet', async () => { await b.kctl(['network', 'rm', 'benchnet'], 60_000); });
  const srv = (await b.kctlOk(['run', '-d', '--network', 'benchnet', '--name', 'bsrv', IMAGE, 'sh', '-c', 'mkdir -p /www && dd if=/dev/zero of=/www/f bs=1M count=16 2>/dev/null && exec httpd -f -p 8080 -h /www'])).stdout.trim();
  const cli = (await b.kctlOk(['run', '-d', '--network', 'benchnet', '--name', 'bcli', IMAGE, 'sleep', '3600'])).stdout.trim();
  const dropCs = onCleanup('user network containers', async () => { await b.kctl(['rm', '-f', srv, cli], 60_000); });
  const get4 = (host: string) => Array.from({ length: 4 }, () => `wget -qO /dev/null http://${host}:8080/f`).join(' && ');
  let across: number;
  let local: number;
  try {
    const reps = Math.max(3, Math.min(b.o.reps, 5));
    await b.kctlOk(['exec', cli, 'sh', '-c', 'until wget -qO /dev/null http://bsrv:8080/f; do sleep 0.2; done']);
    across = await execMs(b, cli, get4('bsrv'), reps);
    local = await execMs(b, srv, get4('127.0.0.1'), reps);
  } finally {
    await b.kctl(['rm', '-f', srv, cli], 60_000);
    dropCs();
    await b.kctl(['network', 'rm', 'benchnet'], 60_000);
    dropNet();
  }
  const mibs = (ms: number) => 64 / (ms / 1000);
  b.row({ figure: '8 network', measure: 'download between two containers on a user network (4 x 16 MiB, wget from httpd)', kctl: `${mibs(across).toFixed(1)} MiB/s`, baseline: `${mibs(local).toFixed(1)} MiB/s (same download over the server VM's loopback)`, ratio: ratio(mibs(across), mibs(local)) });
  b.results.figures.network = { publishedReqPerS: k, hostReqPerS: h, requests: n, concurrency: c, userNetMiBps: mibs(across), guestLoopbackMiBps: mibs(local) };
}

export async function storageFigure(b: IoBench): Promise<void> {
  const mib = 256;
  log(`storage: sequential read of a ${mib} MiB file on a read-only bind mount vs cat on the host`);
  const dir = path.join(b.work, 'bind');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'big');
  execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' });
  const host: number[] = [];
  await timedOk('cat', [file], { timeoutMs: 60_000 }); // page cache
  for (let i = 0; i < 5; i++) host.push((await timedOk('sh', ['-c', `cat ${file} > /dev/null`], { timeoutMs: 60_000 })).ms);
  const id = (await b.kctlOk(['run', '-d', '-v', `${dir}:/data:ro`, IMAGE, 'sleep', '3600'])).stdout.trim();
  const drop = onCleanup(`container ${id}`, async () => { await b.kctl(['rm', '-f', id], 60_000); });
  let k: number;
  try {
    k = await execMs(b, id, 'cat /data/big > /dev/null', Math.max(3, Math.min(b.o.reps, 5)));
  } finally {
    await b.kctl(['rm', '-f', id], 60_000);
    drop();
  }
  const h = median(host);
  const rate = (ms: number) => mib / (ms / 1000);
  b.row({ figure: '9 storage', measure: `sequential read, ${mib} MiB file on a \`:ro\` bind mount (virtio-fs), warm cache`, kctl: `${rate(k).toFixed(0)} MiB/s (${fmtMs(k)})`, baseline: `${rate(h).toFixed(0)} MiB/s (cat on the host, ${fmtMs(h)})`, ratio: ratio(rate(k), rate(h)) });
  b.results.figures.storage = { fileMiB: mib, kctlReadMs: k, hostReadMs: h };
}
