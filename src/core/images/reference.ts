/**
 * Image references, parsed and normalised exactly as Docker does (distribution/reference):
 *
 *   nginx                    -> docker.io/library/nginx:latest
 *   localhost:5000/a/b:t     -> localhost:5000/a/b:t
 *   [::1]:5000/x@sha256:...  -> kept as given, with the digest validated
 *
 * Grammar (from distribution/reference):
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path-component ["/" path-component]*
 *   domain     := host [":" port]        host := domain-name | "[" ipv6 "]"
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [_.] | "__" | [-]+
 *   tag        := [\w][\w.-]{0,127}
 * The whole name (domain included) is at most 255 characters.
 */
import { invalidArgument } from '../errors.js';
import { parseDigest, printable } from './digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6})`;
const domainRe = `${host}(?::[0-9]+)?`;
const tagRe = '[\\w][\\w.-]{0,127}';
const digestRe = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const nameRe = `(?:${domainRe}/)?${pathComponent}(?:/${pathComponent})*`;
const REFERENCE = new RegExp(`^(${nameRe})(?::(${tagRe}))?(?:@(${digestRe}))?$`);
const ANCHORED_IDENTIFIER = /^[a-f0-9]{64}$/;
const TAG_ONLY = new RegExp(`^${tagRe}$`);

/** A fully normalised reference: domain and path always present; tag and/or digest optional. */
export interface Reference {
  domain: string; // docker.io, localhost:5000, [::1]:5000
  path: string; // library/nginx
  tag?: string;
  digest?: string;
}

export function referenceName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** name[:tag][@digest] in normalised form. */
export function referenceString(r: Reference): string {
  return referenceName(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

function invalid(s: string, detail?: string): never {
  throw invalidArgument(detail ? `invalid reference format: ${detail}` : 'invalid reference format', {
    detail: `reference: ${printable(s)}`,
    hint: 'an image reference looks like [registry[:port]/]name[:tag][@sha256:<digest>], in lower case',
  });
}

/** Parses a reference that already has its domain (distribution's reference.Parse). */
export function parseReference(s: string): Reference {
  if (typeof s !== 'string' || s.length === 0) invalid(String(s), 'repository name must have at least one component');
  const m = REFERENCE.exec(s);
  if (!m) {
    if (REFERENCE.test(s.toLowerCase())) invalid(s, 'repository name must be lowercase');
    invalid(s);
  }
  const name = m[1];
  if (name.length > NAME_TOTAL_LENGTH_MAX) invalid(s, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const { domain, path } = splitDomain(name);
  const r: Reference = { domain, path };
  if (m[2] !== undefined) r.tag = m[2];
  if (m[3] !== undefined) {
    try {
      parseDigest(m[3]);
    } catch (err) {
      invalid(s, (err as Error).message);
    }
    r.digest = m[3];
  }
  return r;
}

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  const first = i === -1 ? '' : name.slice(0, i);
  // Parsed names: a first component is a domain when it has a dot, a port, is bracketed or localhost.
  if (i !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.startsWith('[') || first !== first.toLowerCase())) {
    return { domain: first, path: name.slice(i + 1) };
  }
  return { domain: '', path: name };
}

/** Docker's splitDockerDomain: decides whether the first component names a registry. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (i === -1 || (!/[.:]/.test(name.slice(0, i)) && name.slice(0, i) !== 'localhost' && name.slice(0, i).toLowerCase() === name.slice(0, i))) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = name.slice(0, i);
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses what a user typed (`nginx`, `busybox:1.36`, `ghcr.io/a/b@sha256:...`) into a normalised
 * reference. No default tag is added; use `withDefaultTag` for pull/run.
 */
export function parseNormalizedReference(s: string): Reference {
  if (typeof s !== 'string' || s.length === 0) invalid(String(s), 'repository name must have at least one component');
  if (ANCHORED_IDENTIFIER.test(s)) {
    invalid(s, `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const at = remainder.indexOf('@');
  const remoteEnd = tagSep > -1 ? tagSep : at > -1 ? at : remainder.length;
  const remote = remainder.slice(0, remoteEnd);
  if (remote.toLowerCase() !== remote) invalid(s, `repository name (${printable(remote)}) must be lowercase`);
  const r = parseReference(`${domain}/${remainder}`);
  if (r.domain === '') {
    // Cannot happen: splitDockerDomain always yields a domain; kept as a guard.
    invalid(s);
  }
  return r;
}

/** Adds `:latest` when neither a tag nor a digest was given (Docker's TagNameOnly). */
export function withDefaultTag(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: DEFAULT_TAG } : r;
}

/** Parse + normalise + default tag: what `pull` and `run` use. */
export function normalizeReference(s: string): Reference {
  return withDefaultTag(parseNormalizedReference(s));
}

/** The name as Docker shows it: docker.io/library/nginx -> nginx, docker.io/a/b -> a/b. */
export function familiarName(nameOrRef: Reference | string): string {
  const name = typeof nameOrRef === 'string' ? nameOrRef : referenceName(nameOrRef);
  if (name.startsWith(DEFAULT_DOMAIN + '/')) {
    const rest = name.slice(DEFAULT_DOMAIN.length + 1);
    if (rest.startsWith(OFFICIAL_REPO_PREFIX) && !rest.slice(OFFICIAL_REPO_PREFIX.length).includes('/')) {
      return rest.slice(OFFICIAL_REPO_PREFIX.length);
    }
    return rest;
  }
  return name;
}

/** familiarName plus tag and digest: `nginx:latest`, `localhost:5000/a@sha256:...`. */
export function familiarString(r: Reference): string {
  return familiarName(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** Familiar form of a stored normalised string such as `docker.io/library/nginx:latest`. */
export function familiarizeString(normalized: string): string {
  try {
    return familiarString(parseReference(normalized));
  } catch {
    return normalized;
  }
}

/** Validates a tag on its own (for `kctl tag SRC TARGET`). */
export function isValidTag(tag: string): boolean {
  return TAG_ONLY.test(tag);
}

/** The registry path of the repository for the distribution API: `library/nginx`. */
export function repositoryPath(r: Reference): string {
  return r.path;
}
