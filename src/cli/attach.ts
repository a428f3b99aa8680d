/**
 * The CLI end of an attach: container output to our stdout/stderr, our stdin to the container,
 * terminal size and signals forwarded. With a TTY the local terminal is in raw mode and is restored
 * on every way out; ctrl-p ctrl-q detaches and leaves the container running.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../api/grpc/status.js';
import type { Clients } from './client.js';
import type { AttachInput } from '../api/gen/kctl/v1/AttachInput.js';
import type { AttachOutput__Output } from '../api/gen/kctl/v1/AttachOutput.js';
import type { Isolation__Output } from '../api/gen/kctl/v1/Isolation.js';
import type { ExecOpen } from '../api/gen/kctl/v1/ExecOpen.js';

export interface AttachOptions {
  /** The container (attach) or the exec's open message (exec). */
  id: string;
  start: boolean;
  exec?: ExecOpen;
  stdin: boolean;
  tty: boolean;
  /** Close the container's stdin when ours ends (run -i without -t). */
  stdinOnce: boolean;
  detachKeys?: number[];
  /** Forward SIGINT/SIGTERM/SIGHUP to the container (docker's --sig-proxy; without a TTY only). Default on. */
  sigProxy?: boolean;
  onStarted?: (iso: Isolation__Output) => void;
}

export type AttachResult = { kind: 'exited'; code: number } | { kind: 'detached' };

const DEFAULT_DETACH = [0x10, 0x11]; // ctrl-p ctrl-q

export function attach(c: Clients, o: AttachOptions): Promise<AttachResult> {
  return new Promise<AttachResult>((resolve, reject) => {
    const stream = (o.exec ? c.containers.Exec() : c.containers.Attach()) as ClientDuplexStream<AttachInput, AttachOutput__Output>;
    const stdin = process.stdin;
    const raw = o.tty && o.stdin && stdin.isTTY;
    let result: AttachResult | undefined;
    let settled = false;
    const cleanups: Array<() => void> = [];
    const restoreTerminal = () => { if (raw) try { stdin.setRawMode(false); } catch { /* not a tty anymore */ } };
    // The terminal is restored on every way out: normal end, errors, process exit, and fatal signals.
    process.once('exit', restoreTerminal);
    cleanups.push(() => { restoreTerminal(); process.off('exit', restoreTerminal); });
    if (raw) {
      for (const sig of ['SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
        const h = () => { restoreTerminal(); process.exit(128 + (sig === 'SIGTERM' ? 15 : sig === 'SIGHUP' ? 1 : 3)); };
        process.on(sig, h);
        cleanups.push(() => process.off(sig, h));
      }
    }

    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      for (const f of cleanups.reverse()) f();
      if (err) reject(err);
      else resolve(result ?? { kind: 'detached' });
    };

    const size = () => (process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : { rows: 0, cols: 0 });
    if (o.exec) stream.write({ open: { ...o.exec, ...(o.tty ? size() : {}) } } as AttachInput);
    else stream.write({ open: { id: o.id, stdin: o.stdin, stdout: true, stderr: true, start: o.start, stdinOnce: o.stdinOnce, ...(o.tty ? size() : {}) } });

    stream.on('data', (m: AttachOutput__Output) => {
      // A slow reader of our output holds the stream, and through the daemon the container's output.
      const out = m.msg === 'stdout' ? process.stdout : m.msg === 'stderr' ? process.stderr : undefined;
      if (out && !out.write(m.msg === 'stdout' ? m.stdout! : m.stderr!)) {
        stream.pause();
        out.once('drain', () => stream.resume());
      }
      if (m.msg === 'started') o.onStarted?.(m.started!);
      else if (m.msg === 'exitCode') result = { kind: 'exited', code: m.exitCode! };
    });
    stream.on('end', () => finish());
    stream.on('error', (err) => {
      const e = fromGrpcError(err);
      if (e.kind === 'canceled' && result) finish();
      else finish(e);
    });

    if (o.tty && process.stdout.isTTY) {
      const onResize = () => stream.write({ resize: size() });
      process.stdout.on('resize', onResize);
      cleanups.push(() => process.stdout.off('resize', onResize));
    }
    if (!o.tty && o.sigProxy !== false) {
      // --sig-proxy: signals to kctl go to the container's process.
      const forward = (sig: NodeJS.Signals) => () => stream.write({ signal: sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1 });
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        const h = forward(sig);
        process.on(sig, h);
        cleanups.push(() => process.off(sig, h));
      }
    }
    if (o.stdin) {
      if (raw) stdin.setRawMode(true);
      const keys = o.detachKeys ?? DEFAULT_DETACH;
      let matched = 0;
      const onData = (chunk: Buffer) => {
        if (o.tty) {
          for (const b of chunk) {
            if (b === keys[matched]) {
              matched++;
              if (matched === keys.length) {
                process.stderr.write('\r\nread escape sequence\r\n');
                stream.end();
                stream.cancel();
                finish();
                return;
              }
            } else matched = 0;
          }
        }
        stream.write({ stdin: chunk });
      };
      const onEnd = () => stream.write({ stdinClose: true });
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      cleanups.push(() => { stdin.off('data', onData); stdin.off('end', onEnd); stdin.pause(); });
      stdin.resume();
    }
  });
}

/** Docker's --detach-keys: "ctrl-p,ctrl-q", "ctrl-a,x". */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((k) => {
    const m = /^ctrl-([a-z@\[\\\]^_])$/.exec(k.trim());
    if (m) return m[1] === '@' ? 0 : m[1].charCodeAt(0) & 0x1f;
    if (k.trim().length === 1) return k.trim().charCodeAt(0);
    throw new Error(`invalid detach key: ${k}`);
  });
}
