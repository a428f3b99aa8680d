/**
 * The HTTP side of the Docker Engine API: a router with Docker's version prefixes (/v1.43/...),
 * request bodies with a size bound, query decoding as Docker's httputils, and the connection a
 * handler streams on (a hijacked socket after `Upgrade: tcp`, else a plain streaming response).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument } from '../../core/errors.js';
import { errorResponse } from './errors.js';
import { compareVersions } from './stream.js';

export const MIN_API_VERSION = '1.24';
/** The newest version prefix accepted (clients ask for their own version unless they negotiate). */
export const MAX_API_VERSION = '1.45';
/** JSON request bodies larger than this are refused (413). */
export const MAX_JSON_BODY = 10 * 1024 * 1024;

export interface Ctx {
  req: http.IncomingMessage;
  /** Set for plain requests; hijacking requests have `upgrade` instead. */
  res?: http.ServerResponse;
  upgrade?: { socket: Duplex; head: Buffer };
  /** Set once a stream connection answered 101 (or 200) and owns the socket. */
  hijacked?: boolean;
  params: string[];
  query: URLSearchParams;
  apiVersion: string;
}

export type Handler = (ctx: Ctx) => Promise<void>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  /** `pattern` is a path with `{name}` segments (one segment) or `{name*}` (the rest, slashes allowed). */
  on(method: string, pattern: string, handler: Handler): this {
    const src = pattern.replace(/[.]/g, '\\.').replace(/\{\w+\*\}/g, '(.+)').replace(/\{\w+\}/g, '([^/]+)');
    this.routes.push({ method, re: new RegExp(`^${src}$`), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: string[] } | 'method' | undefined {
    let pathMatched = false;
    // An explicit HEAD route wins; else HEAD is served by the GET route (without a body).
    for (const want of method === 'HEAD' ? ['HEAD', 'GET'] : [method]) {
      for (const r of this.routes) {
        const m = r.re.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (r.method === want) return { handler: r.handler, params: m.slice(1).map((p) => decodeURIComponent(p)) };
      }
    }
    return pathMatched ? 'method' : undefined;
  }
}

/** Splits `/v1.43/containers/json` into the version and the route path; checks the version. */
export function splitVersion(pathname: string, defaultVersion: string): { version: string; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
  if (!m) return { version: defaultVersion, path: pathname };
  const v = m[1];
  if (compareVersions(v, MAX_API_VERSION) > 0) {
    throw invalidArgument(`client version ${v} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
  }
  if (compareVersions(v, MIN_API_VERSION) < 0) {
    throw invalidArgument(`client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  return { version: v, path: m[2] };
}

// ------------------------------------------------------------------ query values (Docker's httputils)

/** Docker's BoolValue: absent, "", "0", "no", "false", "none" are false. */
export function qBool(q: URLSearchParams, name: string, dflt = false): boolean {
  if (!q.has(name)) return dflt;
  const v = (q.get(name) ?? '').trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

export function qInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidArgument(`invalid value for ${name}: ${JSON.stringify(v)} (an integer is expected)`);
  return Number(v);
}

/** Docker's `filters` query parameter: {"key":["v1","v2"]} or the old {"key":{"v1":true}}. */
export function qFilters(q: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const raw = q.get('filters');
  if (!raw) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw invalidArgument(`invalid filter: ${raw} is not JSON`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument('invalid filter: an object of filter names is expected');
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.set(k, v as string[]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.set(k, Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]));
    else throw invalidArgument(`invalid filter '${k}': a list of strings is expected`);
  }
  return out;
}

// ------------------------------------------------------------------ bodies

/** Reads the whole request body up to `limit` bytes (413 beyond it). */
export async function readBody(ctx: Ctx, limit = MAX_JSON_BODY): Promise<Buffer> {
  const declared = Number(ctx.req.headers['content-length'] ?? '0');
  if (declared > limit) throw tooLarge(limit);
  if (ctx.upgrade) return readUpgradeBody(ctx.upgrade.socket, ctx.upgrade.head, declared, limit);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** An HTTP-level refusal that has no counterpart in the core's vocabulary (413, 404 page not found). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than ${limit} bytes`);
}

/**
 * The body of an upgrading request: `head` and the socket carry the body and then the client's
 * stream bytes; the body is taken, the rest is put back for the stream.
 */
function readUpgradeBody(socket: Duplex, head: Buffer, length: number, limit: number): Promise<Buffer> {
  if (length > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    let buf = head;
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      const rest = buf.subarray(length);
      if (rest.length) socket.unshift(rest);
      resolve(buf.subarray(0, length));
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= length) done();
    };
    const onEnd = () => reject(invalidArgument('the request body ended early'));
    if (buf.length >= length) return done();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/** Parses a JSON body; an empty body is `{}`. Unknown fields are ignored, as Docker does. */
export async function readJson(ctx: Ctx): Promise<Record<string, unknown>> {
  const body = await readBody(ctx);
  if (body.length === 0 || !body.toString('utf8').trim()) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidArgument(`invalid JSON in the request body: ${(err as Error).message}`);
  }
  if (doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument('invalid JSON in the request body: an object is expected');
  return doc as Record<string, unknown>;
}

// ------------------------------------------------------------------ responses

export function sendJson(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  if (ctx.res) {
    ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text);
  } else if (ctx.upgrade) {
    writeRawResponse(ctx.upgrade.socket, status, { 'Content-Type': 'application/json', ...headers }, text);
  }
}

export function sendEmpty(ctx: Ctx, status: number, headers: Record<string, string> = {}): void {
  if (ctx.res) {
    ctx.res.writeHead(status, headers);
    ctx.res.end();
  } else if (ctx.upgrade) {
    writeRawResponse(ctx.upgrade.socket, status, headers, '');
  }
}

export function sendError(ctx: Ctx, err: unknown): void {
  const { status: code, body: out } = err instanceof HttpError ? { status: err.status, body: { message: err.message } } : errorResponse(err);
  if (ctx.res) {
    if (ctx.res.headersSent) {
      ctx.res.destroy();
      return;
    }
    sendJson(ctx, code, out);
  } else if (ctx.upgrade) {
    // After the 101 the socket carries the stream: an error can only end it.
    if (ctx.hijacked) ctx.upgrade.socket.destroy();
    else writeRawResponse(ctx.upgrade.socket, code, { 'Content-Type': 'application/json' }, JSON.stringify(out) + '\n');
  }
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found',
  409: 'Conflict', 413: 'Payload Too Large', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

export function writeRawResponse(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
}

// ------------------------------------------------------------------ streams

/** Output queued for a slow client beyond this drops the client rather than the daemon's memory. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/**
 * The connection an attach or exec streams on. After `Upgrade: tcp` it is the raw socket in both
 * directions (101 UPGRADED); without it a 200 response carries the output (no input).
 */
export class StreamConn {
  private closed = false;
  private readonly closeFns: Array<() => void> = [];
  readonly input?: Duplex;

  constructor(private readonly ctx: Ctx, contentType: string) {
    ctx.hijacked = true;
    if (ctx.upgrade) {
      const s = ctx.upgrade.socket;
      this.input = s;
      s.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      s.on('close', () => this.onClosed());
      s.on('error', () => this.onClosed());
    } else {
      const res = ctx.res!;
      res.writeHead(200, { 'Content-Type': contentType });
      res.flushHeaders();
      res.on('close', () => this.onClosed());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: Buffer): void {
    if (this.closed) return;
    const out: NodeJS.WritableStream & { writableLength: number; destroy(): void } = (this.ctx.upgrade?.socket ?? this.ctx.res!) as never;
    if (out.writableLength > MAX_BUFFERED) {
      out.destroy();
      this.onClosed();
      return;
    }
    out.write(data);
  }

  /** Ends the output; a hijacked socket is closed fully, as Docker does when the streams end. */
  end(): void {
    if (this.closed) return;
    if (this.ctx.upgrade) {
      const s = this.ctx.upgrade.socket;
      s.end();
      // A client that never closes its side does not keep the socket forever.
      setTimeout(() => s.destroy(), 5000).unref();
    } else {
      this.ctx.res!.end();
    }
    this.onClosed();
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeFns.push(fn);
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeFns.splice(0)) {
      try { fn(); } catch { /* a cleanup must not stop the others */ }
    }
  }
}
