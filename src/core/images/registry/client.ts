/**
 * A client for the registry HTTP API v2 (OCI distribution spec), on Node's http/https.
 *
 * Safety rules it keeps:
 *  - redirects are followed by hand (at most 5 hops); credentials go only to the registry's own
 *    origin (scheme + host + port), never to a redirect target such as blob storage, and an
 *    https -> http downgrade is refused;
 *  - credentials reach the token realm only in the token request, and only when the realm is
 *    https (or plain http on a loopback or insecure-listed host);
 *  - one authentication retry per request: a registry that keeps answering 401 ends in an error;
 *  - retries with full-jitter backoff on 408, 429 (honouring Retry-After, capped) and 5xx;
 *  - every socket has an idle timeout; response bodies read into memory are size-capped;
 *  - error messages carry a sanitised, truncated excerpt of the registry's answer and never a
 *    token or an Authorization header.
 */
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import { KctlError, deadlineExceeded, invalidArgument, notFound, resourceExhausted, unavailable } from '../../errors.js';
import { nullLogger, type Logger } from '../../util/log.js';
import { printable, validateDigest } from '../digest.js';
import { basicCredentials, basicHeader, parseChallenges, redact, type AuthConfig, type Challenge } from './auth.js';

export interface RegistryClientOptions {
  /** Base URL of the registry: https://registry-1.docker.io, http://127.0.0.1:5000. */
  base: string;
  auth?: AuthConfig;
  /** Skip TLS verification (only for registries allowed to be insecure). */
  insecureTls?: boolean;
  /** Whether plain http is acceptable for a host (token realms, redirects). Default: never. */
  allowHttp?: (hostPort: string) => boolean;
  log?: Logger;
  signal?: AbortSignal;
  /** Attempts after the first one for retryable answers (408, 429, 5xx) and broken connections. */
  retries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Cap on a Retry-After wait. */
  retryAfterMaxMs?: number;
  /** Socket idle timeout, connection included. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 4096;
const MAX_TOKEN_BODY = 1 << 20;
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const FATAL_NET = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);

export class RegistryClient {
  readonly base: URL;
  private readonly o: Required<Pick<RegistryClientOptions, 'retries' | 'backoffBaseMs' | 'backoffMaxMs' | 'retryAfterMaxMs' | 'timeoutMs' | 'userAgent'>> & RegistryClientOptions;
  private readonly log: Logger;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private basicKnown = false;

  constructor(o: RegistryClientOptions) {
    const base = new URL(o.base);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw invalidArgument(`unsupported registry URL ${printable(o.base)}`);
    if (base.protocol === 'http:' && !(o.allowHttp?.(base.host) ?? false)) {
      throw invalidArgument(`refusing plain http for registry ${base.host}`, { hint: `add "${base.host}" to "insecure-registries" in daemon.json if it really has no TLS` });
    }
    this.base = new URL(base.origin);
    this.o = { retries: 4, backoffBaseMs: 250, backoffMaxMs: 8000, retryAfterMaxMs: 30_000, timeoutMs: 30_000, userAgent: 'kctl/0.1', ...o };
    this.log = (o.log ?? nullLogger).with({ registry: this.base.host });
  }

  get host(): string {
    return this.base.host;
  }

  /**
   * GET /v2/: checks that this is a registry and that the credentials (if any) are accepted,
   * running the token flow when the registry asks for it. Used by `login`.
   */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', {}, undefined, { requireAuth: !!this.o.auth });
    await drain(res.body);
    if (res.status === 200) return;
    throw await this.statusError(res, 'registry check', undefined);
  }

  /** Fetches a manifest or index; reads at most maxBytes. */
  async getManifest(repo: string, reference: string, accept: string[], maxBytes: number): Promise<{ bytes: Buffer; contentType: string; dockerContentDigest?: string }> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, { Accept: accept.join(', ') }, `repository:${repo}:pull`);
    if (res.status !== 200) throw await this.statusError(res, `manifest for ${repo}:${reference}`, repo);
    const len = Number(res.headers['content-length']);
    if (Number.isFinite(len) && len > maxBytes) {
      res.body.destroy();
      throw resourceExhausted(`manifest for ${repo}:${reference} is ${len} bytes, more than the ${maxBytes} kctl accepts`);
    }
    const bytes = await readCapped(res.body, maxBytes, `manifest for ${repo}:${reference}`);
    const dcd = res.headers['docker-content-digest'];
    return { bytes, contentType: String(res.headers['content-type'] ?? ''), dockerContentDigest: typeof dcd === 'string' ? dcd.trim() : undefined };
  }

  /** The repository's tags (GET /v2/<repo>/tags/list, following Link pagination, bounded). */
  async listTags(repo: string, maxPages = 20): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let page = 0; path && page < maxPages; page++) {
      const res = await this.request('GET', path, { Accept: 'application/json' }, `repository:${repo}:pull`);
      if (res.status !== 200) throw await this.statusError(res, `tags of ${repo}`, repo);
      const body = JSON.parse((await readCapped(res.body, 4 << 20, `tags of ${repo}`)).toString('utf8')) as { tags?: unknown };
      for (const t of Array.isArray(body.tags) ? body.tags : []) if (typeof t === 'string') tags.push(t);
      // Link: </v2/<repo>/tags/list?last=x&n=1000>; rel="next" — only same-origin relative paths are followed.
      const link = /<(\/v2\/[^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
      path = link?.[1];
    }
    return tags;
  }

  /**
   * Opens a blob from `offset` on (Range request). A registry that ignores Range sends the whole
   * blob; the first `offset` bytes are then skipped here, so the stream always starts at offset.
   */
  async openBlob(repo: string, digest: string, offset = 0): Promise<Readable> {
    validateDigest(digest);
    const headers: Record<string, string> = {};
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, headers, `repository:${repo}:pull`);
    if (res.status === 206 && offset > 0) {
      const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
      if (!m || Number(m[1]) !== offset) {
        res.body.destroy();
        throw unavailable(`registry answered a range request for ${digest} with the wrong range`);
      }
      return res.body;
    }
    if (res.status === 200) {
      return offset > 0 ? res.body.pipe(skipBytes(offset, res.body)) : res.body;
    }
    throw await this.statusError(res, `blob ${digest} in ${repo}`, repo);
  }

  /**
   * Sends one request to the registry: authentication, redirects and retries included. The body
   * of the returned response must be consumed or destroyed by the caller.
   */
  async request(method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, scope: string | undefined, o: { requireAuth?: boolean } = {}): Promise<RegistryResponse> {
    const url = new URL(path, this.base);
    let attempt = 0;
    for (;;) {
      this.checkAbort();
      let res: RegistryResponse;
      try {
        res = await this.authed({ method, url, headers: { 'User-Agent': this.o.userAgent, ...headers } }, scope, o.requireAuth ?? false);
      } catch (err) {
        if (attempt < this.o.retries && isRetryableNetError(err)) {
          attempt++;
          const wait = this.backoff(attempt);
          this.log.debug('registry request failed, retrying', { path, attempt, waitMs: wait, error: (err as Error).message });
          await this.sleep(wait);
          continue;
        }
        throw err;
      }
      if (RETRYABLE.has(res.status) && attempt < this.o.retries) {
        attempt++;
        let wait = this.backoff(attempt);
        const ra = parseRetryAfter(res.headers['retry-after']);
        if (ra !== undefined) wait = Math.min(Math.max(ra, wait), this.o.retryAfterMaxMs);
        await drain(res.body);
        this.log.debug('registry busy, retrying', { path, status: res.status, attempt, waitMs: wait });
        await this.sleep(wait);
        continue;
      }
      return res;
    }
  }

  private async authed(spec: RequestSpec, scope: string | undefined, requireAuth: boolean): Promise<RegistryResponse> {
    const auth = await this.cachedAuthorization(scope);
    const first = await this.follow({ ...spec, headers: auth ? { ...spec.headers, Authorization: auth } : spec.headers });
    if (first.status !== 401 || first.url.origin !== this.base.origin) return first;
    // One authentication round per request: never loop on 401.
    const challenges = parseChallenges(first.headers['www-authenticate']);
    await drain(first.body);
    const header = await this.authorize(challenges, scope, requireAuth);
    // No way to authenticate: ask once more without credentials so the caller reports the 401 in context.
    if (!header) return this.follow(spec);
    return this.follow({ ...spec, headers: { ...spec.headers, Authorization: header } });
  }

  private async cachedAuthorization(scope: string | undefined): Promise<string | undefined> {
    if (this.o.auth?.registrytoken) return `Bearer ${this.o.auth.registrytoken}`;
    const key = [...this.tokens.keys()].find((k) => k.endsWith(`|${scope ?? ''}`));
    if (key) {
      const t = this.tokens.get(key)!;
      if (t.expiresAt > Date.now()) return `Bearer ${t.token}`;
      this.tokens.delete(key);
    }
    if (this.basicKnown) {
      const c = basicCredentials(this.o.auth);
      if (c) return basicHeader(c);
    }
    return undefined;
  }

  /** Answers a challenge: a Bearer token from the realm, or Basic credentials. */
  private async authorize(challenges: Challenge[], scope: string | undefined, requireAuth: boolean): Promise<string | undefined> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const token = await this.fetchToken(bearer, scope);
      return `Bearer ${token}`;
    }
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = basicCredentials(this.o.auth);
    if (basic && creds) {
      this.basicKnown = true;
      return basicHeader(creds);
    }
    if (requireAuth && !creds) throw new KctlError('permission_denied', `registry ${this.host} requires credentials`, { hint: `run \`kctl login ${this.host}\`` });
    return undefined;
  }

  private async fetchToken(ch: Challenge, scope: string | undefined): Promise<string> {
    const realmText = ch.params.realm;
    if (!realmText) throw unavailable(`registry ${this.host} sent a Bearer challenge without a realm`);
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw unavailable(`registry ${this.host} sent an invalid token realm ${printable(realmText)}`);
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (this.o.allowHttp?.(realm.host) ?? false))) {
      throw new KctlError('permission_denied', `refusing token realm ${printable(realm.origin)} of registry ${this.host}: it is not https`, { hint: 'a registry must hand out tokens over https; add the realm host to "insecure-registries" only if you trust it' });
    }
    if (realm.username || realm.password) throw unavailable(`registry ${this.host} sent a token realm with credentials in it`);
    const service = ch.params.service;
    const cacheKey = `${realm.href}|${service ?? ''}|${scope ?? ''}`;
    const cached = this.tokens.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.token;

    const q = new URL(realm.href);
    if (service) q.searchParams.set('service', service);
    const creds = basicCredentials(this.o.auth);
    const headers: Record<string, string> = { 'User-Agent': this.o.userAgent, Accept: 'application/json' };
    let spec: RequestSpec;
    if (this.o.auth?.identitytoken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.o.auth.identitytoken, client_id: 'kctl' });
      if (service) form.set('service', service);
      if (scope) form.set('scope', scope);
      spec = { method: 'POST', url: realm, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() };
    } else {
      if (scope) q.searchParams.set('scope', scope);
      else if (creds) q.searchParams.set('offline_token', 'true');
      if (creds) {
        q.searchParams.set('account', creds.username);
        headers.Authorization = basicHeader(creds);
      }
      spec = { method: 'GET', url: q, headers };
    }
    let res: RegistryResponse | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.send(spec);
      } catch (err) {
        if (attempt < this.o.retries && isRetryableNetError(err)) {
          await this.sleep(this.backoff(attempt + 1));
          continue;
        }
        throw err;
      }
      if (RETRYABLE.has(res.status) && attempt < this.o.retries) {
        await drain(res.body);
        await this.sleep(Math.min(parseRetryAfter(res.headers['retry-after']) ?? this.backoff(attempt + 1), this.o.retryAfterMaxMs));
        continue;
      }
      break;
    }
    if (res.status === 401 || res.status === 403) {
      const excerpt = await errorExcerpt(res.body);
      throw new KctlError('permission_denied', creds ? `unauthorized: incorrect username or password for ${this.host}` : `unauthorized: the token service of ${this.host} refused an anonymous token`, {
        hint: creds ? `check the credentials, then \`kctl login ${this.host}\`` : `run \`kctl login ${this.host}\` if the repository is private`,
        detail: excerpt,
      });
    }
    if (res.status !== 200) {
      const excerpt = await errorExcerpt(res.body);
      throw unavailable(`token service of ${this.host} answered ${res.status}`, { detail: excerpt });
    }
    const body = await readCapped(res.body, MAX_TOKEN_BODY, 'token response');
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw unavailable(`token service of ${this.host} sent an invalid answer (not JSON)`);
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : '';
    if (!token || /[\s\r\n]/.test(token) || token.length > 64 * 1024) throw unavailable(`token service of ${this.host} sent no usable token`);
    const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in >= 60 ? parsed.expires_in : 60;
    // Renew a little early so a token never expires between the check and its use.
    this.tokens.set(cacheKey, { token, expiresAt: Date.now() + (expiresIn - 10) * 1000 });
    return token;
  }

  /** Follows redirects by hand; Authorization stays with the registry's origin only. */
  private async follow(spec: RequestSpec): Promise<RegistryResponse> {
    let current = spec;
    for (let hop = 0; ; hop++) {
      const res = await this.send(current);
      if (![301, 302, 303, 307, 308].includes(res.status)) return res;
      await drain(res.body);
      const loc = res.headers.location;
      if (!loc) throw unavailable(`registry ${this.host} sent a redirect without a location`);
      if (hop >= MAX_REDIRECTS) throw unavailable(`too many redirects (more than ${MAX_REDIRECTS}) fetching ${spec.url.pathname}`);
      let next: URL;
      try {
        next = new URL(loc, current.url);
      } catch {
        throw unavailable(`registry ${this.host} sent an invalid redirect location`);
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw unavailable(`refusing redirect to a ${printable(next.protocol)} URL`);
      if (current.url.protocol === 'https:' && next.protocol === 'http:' && !(this.o.allowHttp?.(next.host) ?? false)) {
        throw unavailable(`refusing redirect from https to plain http (${printable(next.origin)})`);
      }
      const headers = { ...current.headers };
      if (next.origin !== this.base.origin) {
        delete headers.Authorization;
        delete headers.Cookie;
      }
      current = { method: current.method === 'POST' ? 'GET' : current.method, url: next, headers };
    }
  }

  /** One HTTP exchange, with the idle timeout and the abort signal wired in. */
  private send(spec: RequestSpec): Promise<RegistryResponse> {
    this.checkAbort();
    const isHttps = spec.url.protocol === 'https:';
    const mod = isHttps ? https : http;
    return new Promise<RegistryResponse>((resolve, reject) => {
      const req = mod.request(spec.url, {
        method: spec.method,
        headers: spec.body ? { ...spec.headers, 'Content-Length': String(Buffer.byteLength(spec.body)) } : spec.headers,
        ...(isHttps ? { rejectUnauthorized: !(this.o.insecureTls && spec.url.origin === this.base.origin) } : {}),
        signal: this.o.signal,
      });
      req.setTimeout(this.o.timeoutMs, () => {
        const err = deadlineExceeded(`no answer from ${spec.url.host} within ${Math.round(this.o.timeoutMs / 1000)}s`);
        (err as unknown as { code: string }).code = 'ETIMEDOUT';
        req.destroy(err);
      });
      req.on('error', (err) => reject(netError(err, spec.url)));
      req.on('response', (body) => {
        body.on('error', () => {});
        resolve({ status: body.statusCode ?? 0, headers: body.headers, body, url: spec.url });
      });
      req.end(spec.body);
    });
  }

  private async statusError(res: RegistryResponse, what: string, repo: string | undefined): Promise<KctlError> {
    const excerpt = await errorExcerpt(res.body);
    const code = registryErrorCode(excerpt);
    const detail = excerpt || undefined;
    switch (res.status) {
      case 401:
      case 403:
        return new KctlError('permission_denied', repo ? `pull access denied for ${repo}, repository does not exist or may require 'kctl login'` : `${what}: access denied by ${this.host}`, { hint: `run \`kctl login ${this.host}\` if the repository is private`, detail });
      case 404:
        return notFound(`${what} not found${code ? `: ${code.toLowerCase().replace(/_/g, ' ')}` : ''}`, { detail });
      case 429:
        return resourceExhausted(`toomanyrequests: ${this.host} rate-limited ${what}`, { hint: 'wait and retry, log in, or configure a registry mirror in daemon.json', detail });
      default:
        if (res.status >= 500) return unavailable(`registry ${this.host} failed on ${what} (HTTP ${res.status})`, { hint: 'retry later', detail });
        return unavailable(`registry ${this.host} answered HTTP ${res.status} for ${what}`, { detail });
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.o.signal;
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = () => { clearTimeout(t); reject(new KctlError('canceled', 'pull canceled')); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private checkAbort(): void {
    if (this.o.signal?.aborted) throw new KctlError('canceled', 'pull canceled');
  }
}

function netError(err: unknown, url: URL): KctlError {
  if (err instanceof KctlError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.name === 'AbortError') return new KctlError('canceled', 'pull canceled');
  const code = e.code ?? '';
  const msg = `cannot reach ${url.host}: ${printable(redact(e.message ?? String(err)))}`;
  const k = new KctlError(code === 'ETIMEDOUT' ? 'deadline_exceeded' : 'unavailable', msg, {
    cause: err,
    hint: code.startsWith('ERR_SSL') || code === 'EPROTO' || code.includes('CERT') ? 'a TLS problem: if this registry has no valid TLS certificate, add it to "insecure-registries" in daemon.json' : 'check the registry address and the network',
  });
  (k as unknown as { code: string }).code = code;
  return k;
}

function isRetryableNetError(err: unknown): boolean {
  if (!(err instanceof KctlError)) return false;
  if (err.kind === 'canceled' || err.kind === 'permission_denied' || err.kind === 'invalid_argument') return false;
  const code = (err as unknown as { code?: string }).code ?? '';
  if (!code || FATAL_NET.has(code) || code.startsWith('ERR_SSL') || code.includes('CERT')) return false;
  return err.kind === 'unavailable' || err.kind === 'deadline_exceeded';
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

async function drain(body: IncomingMessage): Promise<void> {
  // Small bodies are read to keep the connection reusable; anything larger is cut off.
  let n = 0;
  await new Promise<void>((resolve) => {
    body.on('data', (c: Buffer) => { n += c.length; if (n > 64 * 1024) { body.destroy(); resolve(); } });
    body.on('end', resolve);
    body.on('close', resolve);
    body.on('error', () => resolve());
  });
}

/** Reads a whole body, failing with resource_exhausted past maxBytes. */
export async function readCapped(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of body) {
      n += (c as Buffer).length;
      if (n > maxBytes) {
        body.destroy();
        throw resourceExhausted(`${what} is larger than the ${maxBytes} bytes kctl accepts`);
      }
      chunks.push(c as Buffer);
    }
  } catch (err) {
    if (err instanceof KctlError) throw err;
    throw unavailable(`connection broken while reading ${what}: ${printable((err as Error).message)}`, { cause: err });
  }
  return Buffer.concat(chunks);
}

/** A short, printable excerpt of an error body: the registry's error messages when it sent JSON. */
async function errorExcerpt(body: IncomingMessage): Promise<string> {
  let text = '';
  try {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of body) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= MAX_ERROR_BODY) { body.destroy(); break; }
    }
    text = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8');
  } catch {
    // An unreadable error body adds nothing.
  }
  try {
    const j = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    if (Array.isArray(j.errors)) {
      text = j.errors.slice(0, 3).map((e) => `${String(e.code ?? '')}: ${String(e.message ?? '')}`).join('; ');
    }
  } catch {
    // Not JSON: keep the raw excerpt.
  }
  return printable(redact(text.trim()), 300);
}

function registryErrorCode(excerpt: string): string | undefined {
  const m = /^([A-Z_]+):/.exec(excerpt);
  return m?.[1];
}

/** Drops the first n bytes of a stream (a registry that ignored our Range header). */
function skipBytes(n: number, source: IncomingMessage): Transform {
  let left = n;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (left >= chunk.length) {
        left -= chunk.length;
        cb();
        return;
      }
      const out = chunk.subarray(left);
      left = 0;
      cb(null, out);
    },
  });
  source.on('error', (err) => t.destroy(err));
  source.on('aborted', () => t.destroy(Object.assign(new Error('connection aborted'), { code: 'ECONNRESET' })));
  return t;
}
