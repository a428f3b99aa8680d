/**
 * Registry authentication: WWW-Authenticate challenges, the Bearer token flow (docs.docker.com
 * "Token Authentication Specification") and Basic auth. Credentials come from the caller per
 * request (like Docker's X-Registry-Auth); kctl never sends them anywhere but the registry itself
 * and, for a token request only, the token realm the registry names.
 */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), as in ~/.docker/config.json and X-Registry-Auth. */
  auth?: string;
  /** A refresh token from an OAuth login (Docker's IdentityToken). */
  identitytoken?: string;
  /** A bearer token to use as is (Docker's RegistryToken). */
  registrytoken?: string;
  serveraddress?: string;
  email?: string;
}

export interface Challenge {
  scheme: string; // lower-case: bearer, basic
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header (one or more challenges, quoted or token parameter values). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: Challenge[] = [];
  let i = 0;
  const n = text.length;
  const skipWs = () => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++; };
  while (i < n && out.length < 8) {
    skipWs();
    const m = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*/.exec(text.slice(i));
    if (!m) break;
    i += m[0].length;
    const ch: Challenge = { scheme: m[0].toLowerCase(), params: {} };
    out.push(ch);
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      const save = i;
      const k = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(text.slice(i));
      if (!k) { i = save; break; }
      i += k[0].length;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++;
          value += text[i++];
        }
        i++;
      } else {
        const v = /^[^\s,]*/.exec(text.slice(i))![0];
        value = v;
        i += v.length;
      }
      ch.params[k[1].toLowerCase()] = value;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text[i] === ',') {
        // Either the next parameter or the next challenge.
        const rest = text.slice(i + 1);
        if (/^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=/.test(rest)) { i++; continue; }
        break;
      }
      break;
    }
  }
  return out;
}

/** The username/password of an AuthConfig, decoding `auth` when that is what it holds. */
export function basicCredentials(a: AuthConfig | undefined): { username: string; password: string } | undefined {
  if (!a) return undefined;
  if (a.username && a.password !== undefined && a.password !== '') return { username: a.username, password: a.password };
  if (a.auth) {
    const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
    const c = decoded.indexOf(':');
    if (c > 0) return { username: decoded.slice(0, c), password: decoded.slice(c + 1) };
  }
  return undefined;
}

export function basicHeader(c: { username: string; password: string }): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}

/** Removes anything that looks like a credential from text that may end up in an error or log. */
export function redact(s: string): string {
  return s
    .replace(/(authorization|proxy-authorization)\s*[:=]\s*\S+(\s+\S+)?/gi, '$1: <redacted>')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 <redacted>')
    .replace(/("?(?:token|access_token|refresh_token|password|identitytoken)"?\s*[:=]\s*)"[^"]*"/gi, '$1"<redacted>"');
}
