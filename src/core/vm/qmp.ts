/**
 * A minimal QMP client: connect to QEMU's monitor socket, negotiate capabilities, execute
 * commands, collect events. Every wait is bounded. QEMU's monitor serves one client at a time, so
 * callers connect for an operation and close afterwards (see withQmp).
 *
 * QEMU runs guest-facing code; its replies are parsed defensively (bounded line length).
 */
import net from 'node:net';
import { deadlineExceeded, KctlError, unavailable } from '../errors.js';

export interface QmpEvent {
  event: string;
  data?: unknown;
  timestamp?: { seconds: number; microseconds: number };
}

const MAX_LINE = 1 << 20;

export class QmpClient {
  private buf = '';
  private pending: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void; cmd: string; timer: NodeJS.Timeout }> = [];
  private greetingWaiter?: { resolve: () => void; reject: (e: Error) => void };
  private closed = false;
  private closeError?: Error;
  private eventListeners = new Set<(e: QmpEvent) => void>();
  private closeListeners = new Set<() => void>();
  readonly events: QmpEvent[] = [];
  version?: string;

  private constructor(private readonly sock: net.Socket, private readonly path: string) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (err) => this.fail(unavailable(`QMP connection ${path} failed: ${err.message}`, { cause: err })));
    sock.on('close', () => this.fail(unavailable(`QMP connection ${path} closed by QEMU`)));
  }

  /** Connects and completes the capabilities handshake within `timeoutMs`. */
  static async connect(socketPath: string, timeoutMs = 3000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection(socketPath);
      const t = setTimeout(() => {
        s.destroy();
        reject(deadlineExceeded(`QMP socket ${socketPath} did not accept a connection within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(t);
        reject(unavailable(`cannot connect to QMP socket ${socketPath}: ${err.message}`, { cause: err }));
      });
    });
    const c = new QmpClient(sock, socketPath);
    try {
      await c.waitGreeting(Math.max(1, deadline - Date.now()));
      await c.execute('qmp_capabilities', undefined, Math.max(1, deadline - Date.now()));
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  private waitGreeting(timeoutMs: number): Promise<void> {
    if (this.version !== undefined) return Promise.resolve();
    if (this.closed) return Promise.reject(this.closeError);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.greetingWaiter = undefined;
        reject(deadlineExceeded(`QEMU sent no QMP greeting within ${timeoutMs} ms`));
      }, timeoutMs);
      this.greetingWaiter = {
        resolve: () => { clearTimeout(t); resolve(); },
        reject: (e) => { clearTimeout(t); reject(e); },
      };
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
    if (this.buf.length > MAX_LINE) {
      this.fail(unavailable(`QMP message from ${this.path} exceeds ${MAX_LINE} bytes`));
      this.sock.destroy();
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not JSON: ignore rather than trust it
    }
    if (msg === null || typeof msg !== 'object') return;
    if ('QMP' in msg) {
      const q = (msg.QMP as { version?: { qemu?: { major?: number; minor?: number; micro?: number } } }) ?? {};
      const v = q.version?.qemu;
      this.version = v ? `${v.major}.${v.minor}.${v.micro}` : 'unknown';
      this.greetingWaiter?.resolve();
      this.greetingWaiter = undefined;
      return;
    }
    if (typeof msg.event === 'string') {
      const e = msg as unknown as QmpEvent;
      if (this.events.length < 1000) this.events.push(e);
      for (const l of this.eventListeners) l(e);
      return;
    }
    if ('return' in msg || 'error' in msg) {
      const p = this.pending.shift();
      if (!p) return;
      clearTimeout(p.timer);
      if ('error' in msg) {
        const err = msg.error as { class?: string; desc?: string };
        p.reject(new KctlError('internal', `QMP ${p.cmd} failed: ${err?.class ?? 'Error'}: ${err?.desc ?? ''}`));
      } else {
        p.resolve(msg.return);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    this.greetingWaiter?.reject(err);
    this.greetingWaiter = undefined;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    for (const l of this.closeListeners) l();
  }

  /** Executes a QMP command; rejects on a QMP error, a closed connection or after `timeoutMs`. */
  execute<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs = 3000): Promise<T> {
    if (this.closed) return Promise.reject(this.closeError);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.findIndex((p) => p.timer === timer);
        if (i >= 0) this.pending.splice(i, 1);
        // Replies are matched in order; after a timeout the stream can no longer be trusted.
        this.fail(deadlineExceeded(`QMP ${cmd} got no reply within ${timeoutMs} ms`));
        this.sock.destroy();
        reject(deadlineExceeded(`QMP ${cmd} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push({ resolve: resolve as (v: unknown) => void, reject, cmd, timer });
      this.sock.write(JSON.stringify(args ? { execute: cmd, arguments: args } : { execute: cmd }) + '\n');
    });
  }

  onEvent(cb: (e: QmpEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  /** Called once when QEMU closes the connection (for example because it exited). */
  onClose(cb: () => void): () => void {
    if (this.closed) {
      queueMicrotask(cb);
      return () => {};
    }
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.fail(unavailable(`QMP connection ${this.path} closed`));
    this.sock.destroy();
  }
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withQmp<T>(socketPath: string, fn: (c: QmpClient) => Promise<T>, timeoutMs = 3000): Promise<T> {
  const c = await QmpClient.connect(socketPath, timeoutMs);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
