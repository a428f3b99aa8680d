/**
 * Content digests. Every digest that comes from an image, a registry or a user is validated here
 * before it is used in a file path or a URL (CVE-2024-3727, containerd#4176): only sha256 with 64
 * lower-case hex characters and sha512 with 128 are accepted.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { failedPrecondition, invalidArgument } from '../errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

const ENCODED_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** The hex part, safe to use as a file name. */
  encoded: string;
}

/** Parses a digest, throwing invalid_argument with the reason when it is not acceptable. */
export function parseDigest(digest: unknown): ParsedDigest {
  if (typeof digest !== 'string' || digest.length === 0) throw invalidArgument('invalid digest: empty');
  const shown = printable(digest);
  const m = DIGEST_RE.exec(digest);
  if (!m) {
    const colon = digest.indexOf(':');
    if (colon > 0 && !/^(sha256|sha512)$/.test(digest.slice(0, colon)) && /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/.test(digest.slice(0, colon))) {
      throw invalidArgument(`unsupported digest algorithm: ${shown}`);
    }
    throw invalidArgument(`invalid digest format: ${shown}`, { hint: 'a digest looks like sha256:<64 lower-case hex characters>' });
  }
  const algorithm = m[1] as DigestAlgorithm;
  if (m[2].length !== ENCODED_LENGTH[algorithm]) throw invalidArgument(`invalid checksum digest length: ${shown}`);
  return { algorithm, encoded: m[2] };
}

/** Returns the digest unchanged when valid; throws invalid_argument otherwise. */
export function validateDigest(digest: unknown): string {
  parseDigest(digest);
  return digest as string;
}

export function isDigest(s: unknown): s is string {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** The 64-hex part of a sha256 digest; throws for anything else (store paths are sha256 only). */
export function sha256Hex(digest: string): string {
  const p = parseDigest(digest);
  if (p.algorithm !== 'sha256') throw invalidArgument(`unsupported digest algorithm for storage: ${p.algorithm} (kctl stores sha256 content)`);
  return p.encoded;
}

export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Docker's short id: the first 12 hex characters of a digest. */
export function shortId(digest: string): string {
  const i = digest.indexOf(':');
  return digest.slice(i + 1, i + 13);
}

/**
 * A pass-through stream that hashes and counts what flows through it and fails as soon as more
 * than `maxBytes` arrive (a registry that sends an endless body is cut off at once).
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash;
  private count = 0;
  private readonly maxBytes: number;
  readonly algorithm: DigestAlgorithm;

  constructor(o: { algorithm?: DigestAlgorithm; maxBytes?: number; hash?: Hash; initialBytes?: number } = {}) {
    super();
    this.algorithm = o.algorithm ?? 'sha256';
    this.hash = o.hash ?? createHash(this.algorithm);
    this.count = o.initialBytes ?? 0;
    this.maxBytes = o.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.maxBytes) {
      cb(failedPrecondition(`content is larger than the expected ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  /** Bytes seen so far (including `initialBytes`). */
  get bytes(): number {
    return this.count;
  }

  /** The digest of everything seen; call once, after the stream ended. */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** Makes untrusted text safe for a one-line message: control characters removed, length capped. */
export function printable(s: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? clean.slice(0, max) + '...' : clean;
}
