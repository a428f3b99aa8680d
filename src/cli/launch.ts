/**
 * Loads the command line's bundle (dist/kctl.cjs, made by scripts/bundle.mjs) through a V8 code
 * cache, so that a run neither resolves hundreds of modules nor compiles their code again.
 *
 * The cache (dist/kctl.cjs.cache) is written at the end of a run that found it missing or unusable,
 * and holds the code compiled by that run. A run that reached code the cache's run did not (a scope,
 * see codeCacheScope: `kctl --version` first, `kctl ps` then) writes it again. Its first line names
 * the bundle (the content hash on the bundle's first line), Node's version and architecture, and the
 * scopes; V8 checks the rest (its version, its flags, the source) and rejects a cache that does not
 * fit, which is then written anew. A package directory that is not writable only means no cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';

const SCOPES = Symbol.for('kctl.codeCacheScopes');

/**
 * Notes that this run reached a part of the command line that not every run does (the daemon's
 * client), so that the code cache holds its code too. Shared through globalThis because the bundle
 * has its own copy of this module.
 */
export function codeCacheScope(name: string): void {
  const g = globalThis as { [SCOPES]?: Set<string> };
  (g[SCOPES] ??= new Set()).add(name);
}

export interface Bundle {
  run(argv: string[], root: string): Promise<void>;
}

/** The bundle's exports, or undefined when there is no bundle (a build without scripts/bundle.mjs). */
export function loadBundle(file: string, cacheFile = `${file}.cache`): Bundle | undefined {
  let source: string;
  try {
    // scripts/bundle.mjs writes ASCII only: latin1 is the cheapest decoding.
    source = fs.readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const id = `${source.slice(0, source.indexOf('\n'))} ${process.version} ${process.arch}`;
  const cache = readCache(cacheFile, id);
  const cachedData = cache?.data;
  // The bundle's import() calls are __kctlImport (scripts/bundle.mjs): code from a V8 code cache has no
  // import() of its own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __kctlImport) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const cachedScopes = cache && !script.cachedDataRejected ? cache.scopes : undefined;
  process.once('exit', () => {
    const scopes = (globalThis as { [SCOPES]?: Set<string> })[SCOPES] ?? new Set<string>();
    if (cachedScopes && [...scopes].every((s) => cachedScopes.has(s))) return;
    // The cache then holds the functions this run compiled as well as the top level.
    writeCache(cacheFile, id, new Set([...(cachedScopes ?? []), ...scopes]), script);
  });
  const module = { exports: {} as Bundle };
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string, i: (s: string) => Promise<unknown>) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), (specifier) => import(specifier));
  return module.exports;
}

/** The cache file: a line `<id>\t<scope>,<scope>...`, then V8's data. */
function readCache(cacheFile: string, id: string): { data: Buffer; scopes: Set<string> } | undefined {
  try {
    const buf = fs.readFileSync(cacheFile);
    const nl = buf.indexOf(10);
    if (nl < 0) return undefined;
    const [head, scopes = ''] = buf.toString('latin1', 0, nl).split('\t');
    if (head !== id) return undefined;
    return { data: buf.subarray(nl + 1), scopes: new Set(scopes.split(',').filter(Boolean)) };
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, id: string, scopes: Set<string>, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const head = `${id}\t${[...scopes].sort().join(',')}\n`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(head, 'latin1'), script.createCachedData()]), { mode: 0o644 });
    fs.renameSync(tmp, cacheFile);
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
  }
}
