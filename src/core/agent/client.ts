/**
 * Host side of the guest-agent protocol: connects to the VM's agent channel (QEMU's unix-socket chardev
 * for the virtio-serial port "kctl.agent"), performs the version handshake, starts and execs processes,
 * relays their stdio with credit-based flow control, and reports exits. Every wait is bounded.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

import { KctlError, deadlineExceeded, unavailable } from '../errors.js';
import { nullLogger, type Logger } from '../util/log.js';
import {
  FailKind,
  FrameDecoder,
  HEADER_BYTES,
  MAX_PAYLOAD,
  MsgType,
  PROTOCOL_VERSION,
  STDIN_WINDOW,
  decodeError,
  decodeExit,
  decodeHello,
  decodeProcState,
  decodeQueryReply,
  decodeStartFailed,
  decodeU32,
  encodeFrame,
  encodeSpec,
  protocolError,
  u16pair,
  u32,
  type ContainerSpec,
  type Frame,
  type GuestFacts,
  type ProcessSpec,
} from './protocol.js';

export type { ContainerSpec, GuestFacts, ProcessSpec } from './protocol.js';

export interface ExitInfo {
  code: number;
  signal?: number;
}

export interface ConnectOptions {
  /** Bound on the whole connect: socket appearing, HELLO, and the process states after it. */
  timeoutMs: number;
  log?: Logger;
  /** Bound on each START/EXEC answer (default 30 s). */
  startTimeoutMs?: number;
}

/** Bytes the host will discard while looking for the first HELLO on a new connection. */
const MAX_RESYNC_BYTES = 2 * MAX_PAYLOAD;
const CONNECT_RETRY_MS = 20;
const STDIN_CHUNK = 64 * 1024;
const HELLO_PROBE_MS = 1000;
const REDIAL_PAUSE_MS = 100;

class NoHelloYet extends Error {}

/**
 * A process in the guest. Events: 'stdout' (Buffer), 'stderr' (Buffer), 'exit' (ExitInfo), 'drain' (stdin
 * queue fell below the window after write() returned false).
 */
export class AgentProcess extends EventEmitter {
  readonly id: number;
  readonly pid: number;
  readonly tty: boolean;
  readonly exited: Promise<ExitInfo>;
  private resolveExit!: (e: ExitInfo) => void;
  private rejectExit!: (e: Error) => void;
  private exitInfo?: ExitInfo;
  private stdinQueue: Buffer[] = [];
  private stdinQueued = 0;
  private stdinCredit: number;
  private stdinClosing = false;
  private stdinClosed = false;
  private paused = false;
  private uncredited = 0;
  /**
   * Output that arrived before anyone listened (after a reconnect, the agent replays what it buffered
   * while no host was connected, possibly in the same read as the handshake). It is not credited, so
   * the guest holds back the rest until a consumer attaches.
   */
  private held: Array<{ type: number; data: Buffer }> = [];

  /** @internal created by AgentClient */
  constructor(private readonly client: AgentClient, id: number, pid: number, tty: boolean, stdinPending = 0) {
    super();
    this.id = id;
    this.pid = pid;
    this.tty = tty;
    this.stdinCredit = STDIN_WINDOW - stdinPending;
    this.exited = new Promise<ExitInfo>((res, rej) => {
      this.resolveExit = res;
      this.rejectExit = rej;
    });
    this.exited.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
    this.on('newListener', (event: string) => {
      if ((event === 'stdout' || event === 'stderr') && this.held.length) queueMicrotask(() => this.releaseHeld());
    });
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.onOutput(h.type, h.data);
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Queues stdin data; returns false when the caller should wait for 'drain'. */
  write(data: Buffer): boolean {
    if (this.stdinClosing || this.exitInfo) return false;
    for (let off = 0; off < data.length; off += STDIN_CHUNK) {
      const c = data.subarray(off, off + STDIN_CHUNK);
      this.stdinQueue.push(c);
      this.stdinQueued += c.length;
    }
    this.flushStdin();
    return this.stdinQueued < STDIN_WINDOW;
  }

  closeStdin(): void {
    if (this.stdinClosing) return;
    this.stdinClosing = true;
    this.flushStdin();
  }

  signal(signo: number): void {
    if (!Number.isInteger(signo) || signo < 1 || signo > 64) throw new KctlError('invalid_argument', `invalid signal number ${signo}`);
    if (this.exitInfo) return;
    this.client.send(MsgType.SIGNAL, this.id, u32(signo));
  }

  resize(rows: number, cols: number): void {
    for (const v of [rows, cols]) if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw new KctlError('invalid_argument', `invalid terminal size ${rows}x${cols}`);
    if (this.exitInfo || !this.tty) return;
    this.client.send(MsgType.RESIZE, this.id, u16pair(rows, cols));
  }

  /** Stops granting output credit: the guest stops reading this process's output after one window. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.uncredited > 0) {
      this.client.send(MsgType.CREDIT, this.id, u32(this.uncredited));
      this.uncredited = 0;
    }
  }

  /** @internal */
  onOutput(type: number, data: Buffer): void {
    const event = type === MsgType.STDOUT ? 'stdout' : 'stderr';
    if (this.listenerCount(event) === 0 || this.held.length) {
      this.held.push({ type, data });
      if (this.held.length === 1 && this.listenerCount(event) > 0) queueMicrotask(() => this.releaseHeld());
      return;
    }
    if (this.paused) this.uncredited += data.length;
    else this.client.credit(this.id, data.length);
    this.emit(type === MsgType.STDOUT ? 'stdout' : 'stderr', data);
  }

  /** @internal */
  onStdinCredit(n: number): void {
    this.stdinCredit = Math.min(STDIN_WINDOW, this.stdinCredit + n);
    this.flushStdin();
  }

  /** @internal */
  onExit(info: ExitInfo): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    const blocked = this.stdinQueued >= STDIN_WINDOW;
    this.stdinQueue = [];
    this.stdinQueued = 0;
    if (blocked) this.emit('drain'); // wake writers; further writes return false
    this.resolveExit(info);
    this.emit('exit', info);
  }

  /** @internal */
  onLost(err: Error): void {
    if (this.exitInfo) return;
    this.rejectExit(err);
  }

  private flushStdin(): void {
    const before = this.stdinQueued;
    while (this.stdinQueue.length && this.stdinCredit > 0 && !this.client.closed) {
      let c = this.stdinQueue[0]!;
      if (c.length > this.stdinCredit) {
        this.stdinQueue[0] = c.subarray(this.stdinCredit);
        c = c.subarray(0, this.stdinCredit);
      } else {
        this.stdinQueue.shift();
      }
      this.stdinCredit -= c.length;
      this.stdinQueued -= c.length;
      this.client.send(MsgType.STDIN, this.id, c);
    }
    if (this.stdinClosing && !this.stdinClosed && this.stdinQueue.length === 0 && !this.client.closed) {
      this.stdinClosed = true;
      this.client.send(MsgType.STDIN_CLOSE, this.id);
    }
    if (before >= STDIN_WINDOW && this.stdinQueued < STDIN_WINDOW) this.emit('drain');
  }
}

interface PendingStart {
  resolve: (p: AgentProcess) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  tty: boolean;
  what: string;
}

/** The connection to one VM's agent. Event 'close' (Error | undefined): the channel dropped. */
export class AgentClient extends EventEmitter {
  private guestFacts?: GuestFacts;
  private isClosed = false;
  private fatal?: Error;
  private readonly decoder = new FrameDecoder();
  private readonly procs = new Map<number, AgentProcess>();
  private readonly pending = new Map<number, PendingStart>();
  private readonly pings = new Map<string, (ms: number) => void>();
  private readonly queries = new Map<string, (body: Buffer) => void>();
  private nextId = 2;
  private readonly log: Logger;
  private readonly startTimeoutMs: number;

  /** What the guest reported in its HELLO. */
  get facts(): GuestFacts {
    return this.guestFacts!;
  }

  /** True once the channel dropped (the VM died, QEMU exited, or close() was called). */
  get closed(): boolean {
    return this.isClosed;
  }

  private constructor(private readonly sock: net.Socket, opts: ConnectOptions) {
    super();
    this.log = opts.log ?? nullLogger;
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  }

  static async connect(socketPath: string, opts: ConnectOptions): Promise<AgentClient> {
    const deadline = Date.now() + opts.timeoutMs;
    // The agent sends HELLO when it sees a host connect. A reconnect that follows a disconnect too
    // closely can go unnoticed in the guest (it only sees the port's connected state), so when HELLO
    // does not come the client hangs up, pauses so the guest sees the hang-up, and dials again.
    let helloWait = HELLO_PROBE_MS;
    for (;;) {
      const sock = await connectWithRetry(socketPath, deadline);
      const client = new AgentClient(sock, opts);
      const until = Math.min(deadline, Date.now() + helloWait);
      try {
        await client.handshake(until, until < deadline);
        return client;
      } catch (e) {
        sock.destroy();
        if (!(e instanceof NoHelloYet)) throw e;
        opts.log?.debug('no HELLO yet from the guest agent; redialling', { waitedMs: helloWait });
        await new Promise((r) => setTimeout(r, REDIAL_PAUSE_MS));
        helloWait = Math.min(helloWait * 2, 4000);
      }
    }
  }

  /** Waits for HELLO (skipping bytes a previous connection left behind), answers HELLO_ACK, reads process states. */
  private handshake(deadline: number, probing: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let scan: Buffer = Buffer.alloc(0);
      let discarded = 0;
      let expectStates = -1;
      const timer = setTimeout(() => fail(probing && expectStates < 0 ? new NoHelloYet() : deadlineExceeded('the guest agent did not say hello in time', {
        hint: 'the VM may have failed to boot; check its console log (kctl logs shows it for failed starts)',
      })), Math.max(0, deadline - Date.now()));
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.sock.off('data', onData);
        this.sock.off('close', onClose);
        reject(e);
      };
      const onClose = () => fail(unavailable('the VM closed the agent channel before the agent said hello', { hint: 'the VM exited; check its console log' }));
      const onFrames = (frames: Frame[]) => {
        for (const f of frames) {
          if (expectStates < 0) {
            if (f.type !== MsgType.HELLO) throw protocolError(`expected HELLO, got frame type ${f.type}`);
            const hello = decodeHello(f.payload);
            if (hello.facts.protocolVersion !== PROTOCOL_VERSION) {
              throw new KctlError('failed_precondition', `the guest agent speaks protocol version ${hello.facts.protocolVersion}, this kctl speaks ${PROTOCOL_VERSION}`, {
                hint: 'rebuild the guest initramfs (guest/build-initramfs.sh) with this kctl version',
              });
            }
            this.guestFacts = hello.facts;
            this.send(MsgType.HELLO_ACK, 0, Buffer.from([PROTOCOL_VERSION >> 8, PROTOCOL_VERSION & 0xff]));
            expectStates = hello.procs;
          } else if (f.type === MsgType.PROC_STATE) {
            const s = decodeProcState(f.payload);
            if (f.id === 0 || this.procs.has(f.id)) throw protocolError(`PROC_STATE for invalid process id ${f.id}`);
            const p = new AgentProcess(this, f.id, s.pid, s.tty, s.stdinPending);
            this.procs.set(f.id, p);
            if (f.id >= this.nextId) this.nextId = f.id + 1;
            if (s.exited) {
              p.onExit(s.signal ? { code: s.code, signal: s.signal } : { code: s.code });
              this.send(MsgType.EXIT_ACK, f.id);
            }
            expectStates--;
          } else {
            this.handleFrame(f); // output that was queued in the guest before this connection
            continue;
          }
        }
      };
      const onData = (chunk: Buffer) => {
        try {
          if (expectStates < 0 && this.decoder.pending === 0) {
            // Look for the start of a HELLO: length, type 1, id 0, "KCTL".
            scan = scan.length ? Buffer.concat([scan, chunk]) : chunk;
            let at = -1;
            for (let i = scan.indexOf('KCTL', 9); i >= 0; i = scan.indexOf('KCTL', i + 1)) {
              const s = i - 9;
              if (scan[s + 4] === MsgType.HELLO && scan.readUInt32BE(s + 5) === 0) {
                const len = scan.readUInt32BE(s);
                if (len >= HEADER_BYTES - 4 + 6 && len <= HEADER_BYTES - 4 + MAX_PAYLOAD) { at = s; break; }
              }
            }
            if (at < 0) {
              const keep = Math.min(scan.length, 12);
              discarded += scan.length - keep;
              scan = scan.subarray(scan.length - keep);
              if (discarded > MAX_RESYNC_BYTES) throw protocolError('no HELLO from the guest agent');
              return;
            }
            if (at > 0) this.log.warn('skipped bytes before the agent HELLO', { bytes: at });
            chunk = scan.subarray(at);
            scan = Buffer.alloc(0);
          }
          onFrames(this.decoder.push(chunk));
          if (expectStates === 0) {
            clearTimeout(timer);
            this.sock.off('data', onData);
            this.sock.off('close', onClose);
            this.sock.on('data', (d: Buffer) => this.onData(d));
            this.sock.on('close', () => this.onClose());
            this.sock.on('error', (e) => this.log.debug('agent channel error', { err: e.message }));
            resolve();
          }
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
        }
      };
      this.sock.on('data', onData);
      this.sock.on('close', onClose);
      this.sock.on('error', () => {});
    });
  }

  /** Starts the container's init process (process id 1). */
  startContainer(spec: ContainerSpec, opts: { timeoutMs?: number } = {}): Promise<AgentProcess> {
    return this.start(MsgType.START, 1, encodeSpec(spec, true), spec.tty, spec.args[0] ?? '', opts.timeoutMs);
  }

  /** Runs another process in the container's namespaces. */
  exec(spec: ProcessSpec, opts: { timeoutMs?: number } = {}): Promise<AgentProcess> {
    const payload = encodeSpec(spec, false);
    let id = this.nextId;
    while (this.procs.has(id) || this.pending.has(id)) id = id >= 0xfffffff0 ? 2 : id + 1;
    this.nextId = id + 1;
    return this.start(MsgType.EXEC, id, payload, spec.tty, spec.args[0] ?? '', opts.timeoutMs);
  }

  private start(type: number, id: number, payload: Buffer, tty: boolean, what: string, timeoutMs?: number): Promise<AgentProcess> {
    if (this.closed) return Promise.reject(unavailable('the VM agent channel is closed', { hint: 'the VM exited; restart the container' }));
    if (this.pending.has(id) || this.procs.has(id)) return Promise.reject(new KctlError('conflict', 'the container was already started'));
    return new Promise<AgentProcess>((resolve, reject) => {
      const ms = timeoutMs ?? this.startTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(deadlineExceeded(`the guest agent did not start "${what}" within ${ms} ms`));
      }, ms);
      this.pending.set(id, { resolve, reject, timer, tty, what });
      this.send(type, id, payload);
    });
  }

  processes(): AgentProcess[] {
    return [...this.procs.values()];
  }

  /** Round trip to the agent, in milliseconds. */
  ping(timeoutMs: number): Promise<number> {
    if (this.closed) return Promise.reject(unavailable('the VM agent channel is closed'));
    const nonce = randomBytes(8);
    const key = nonce.toString('hex');
    const t0 = process.hrtime.bigint();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(key);
        reject(deadlineExceeded(`the guest agent did not answer a ping within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(key, () => {
        clearTimeout(timer);
        resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      });
      this.send(MsgType.PING, 0, nonce);
    });
  }

  /**
   * Asks the agent about the VM (QueryKind.STATS: /proc/stat and /proc/meminfo text plus the
   * container's process count; QueryKind.PROCS: the container's processes). The raw body comes
   * from the guest and is hostile: the callers in containers/stats.ts and containers/top.ts parse it
   * with bounds.
   */
  query(kind: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(unavailable('the VM agent channel is closed'));
    const nonce = randomBytes(8);
    const key = nonce.toString('hex');
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.queries.delete(key);
        reject(deadlineExceeded(`the guest agent did not answer within ${timeoutMs} ms`, { hint: 'the VM may be paused or overloaded' }));
      }, timeoutMs);
      this.queries.set(key, (body) => {
        clearTimeout(timer);
        resolve(body);
      });
      this.send(MsgType.QUERY, 0, Buffer.concat([Buffer.from([kind]), nonce]));
    });
  }

  /**
   * Rewrites a file START bound over the image's (index into START's files, e.g. /etc/hosts) in
   * place; the container sees the new content at once. Failures come back as a non-fatal ERROR.
   */
  updateFile(index: number, content: string): void {
    if (this.closed) return;
    const body = Buffer.from(content, 'utf8');
    if (!Number.isInteger(index) || index < 0 || index >= 8 || body.length > 65536 || body.includes(0)) {
      throw new KctlError('invalid_argument', 'invalid file update');
    }
    this.send(MsgType.UPDATE_FILE, 0, Buffer.concat([Buffer.from([index]), body]));
  }

  /** Asks the guest to stop every process and power off; resolves when the channel closes. */
  shutdown(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('close', onClose);
        reject(deadlineExceeded(`the VM did not power off within ${timeoutMs} ms`, { hint: 'kill the VM process' }));
      }, timeoutMs);
      const onClose = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('close', onClose);
      this.send(MsgType.SHUTDOWN, 0);
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private credits = new Map<number, number>();
  private creditFlush = false;

  /** @internal Credits are gathered and sent once per event-loop turn: fewer, larger frames to the guest. */
  credit(id: number, n: number): void {
    this.credits.set(id, (this.credits.get(id) ?? 0) + n);
    if (this.creditFlush) return;
    this.creditFlush = true;
    setImmediate(() => {
      this.creditFlush = false;
      for (const [pid, bytes] of this.credits) this.send(MsgType.CREDIT, pid, u32(bytes));
      this.credits.clear();
    });
  }

  /** @internal */
  send(type: number, id: number, payload?: Buffer): void {
    if (this.closed) return;
    this.sock.write(encodeFrame(type, id, payload));
  }

  private onData(d: Buffer): void {
    try {
      for (const f of this.decoder.push(d)) this.handleFrame(f);
    } catch (e) {
      this.log.error('dropping the agent channel', { err: (e as Error).message });
      this.fatal = e as Error;
      this.sock.destroy();
    }
  }

  private handleFrame(f: Frame): void {
    const p = this.procs.get(f.id);
    switch (f.type) {
      case MsgType.STARTED:
      case MsgType.START_FAILED: {
        const w = this.pending.get(f.id);
        if (!w) throw protocolError(`unexpected start reply for process ${f.id}`);
        this.pending.delete(f.id);
        clearTimeout(w.timer);
        if (f.type === MsgType.STARTED) {
          const proc = new AgentProcess(this, f.id, decodeU32(f.payload, 'STARTED'), w.tty);
          this.procs.set(f.id, proc);
          w.resolve(proc);
        } else {
          w.reject(startError(decodeStartFailed(f.payload), w.what));
        }
        return;
      }
      case MsgType.STDOUT:
      case MsgType.STDERR:
        if (!p) throw protocolError(`output for unknown process ${f.id}`);
        p.onOutput(f.type, f.payload);
        return;
      case MsgType.CREDIT:
        p?.onStdinCredit(decodeU32(f.payload, 'CREDIT'));
        return;
      case MsgType.EXIT: {
        if (!p) throw protocolError(`exit for unknown process ${f.id}`);
        const s = decodeExit(f.payload);
        this.send(MsgType.EXIT_ACK, f.id);
        this.procs.delete(f.id);
        p.onExit(s.signal ? { code: s.code, signal: s.signal } : { code: s.code });
        return;
      }
      case MsgType.PONG: {
        const cb = this.pings.get(f.payload.toString('hex'));
        if (cb) {
          this.pings.delete(f.payload.toString('hex'));
          cb(0);
        }
        return;
      }
      case MsgType.QUERY_REPLY: {
        const r = decodeQueryReply(f.payload);
        const cb = this.queries.get(r.token);
        if (cb) {
          this.queries.delete(r.token);
          cb(r.body);
        }
        return;
      }
      case MsgType.ERROR: {
        const e = decodeError(f.payload);
        if (e.fatal) throw protocolError(`the agent rejected a message: ${e.message}`);
        this.log.warn('guest agent error', { process: f.id, err: e.message });
        return;
      }
      default:
        throw protocolError(`unexpected frame type ${f.type}`);
    }
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = this.fatal ?? unavailable('the VM agent channel closed', { hint: 'the VM exited or was killed; see its console log' });
    for (const [, w] of this.pending) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.pending.clear();
    for (const p of this.procs.values()) p.onLost(err);
    this.emit('close', this.fatal);
  }
}

function startError(f: { kind: number; errno: number; message: string }, what: string): KctlError {
  switch (f.kind) {
    case FailKind.NOT_FOUND:
      return new KctlError('command_not_found', f.message || `exec: "${what}": executable file not found in $PATH`);
    case FailKind.CANNOT_INVOKE:
      return new KctlError('cannot_invoke', f.message || `exec: "${what}": permission denied`);
    case FailKind.INVALID:
      return new KctlError('invalid_argument', f.message);
    case FailKind.NOT_RUNNING:
      return new KctlError('failed_precondition', f.message || 'the container is not running', { hint: 'start the container first' });
    default:
      return new KctlError('internal', `the container process could not be created: ${f.message}`, { hint: 'this is a kctl bug or a broken image; see the VM console log' });
  }
}

function connectWithRetry(path: string, deadline: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    let lastErr = '';
    const attempt = () => {
      const s = net.createConnection(path);
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        s.destroy();
        lastErr = e.code ?? e.message;
        if (Date.now() + CONNECT_RETRY_MS >= deadline) {
          reject(deadlineExceeded(`cannot connect to the VM agent channel ${path}: ${lastErr}`, { hint: 'the VM did not start; check that QEMU is running' }));
          return;
        }
        setTimeout(attempt, CONNECT_RETRY_MS);
      });
    };
    attempt();
  });
}
