/**
 * The CLI's start-up stays small: `kctl ps` (and the entry every command goes through) must not load
 * the image or VM code. A module-resolution hook records every module the import graph pulls in.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../../src/', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-lazy-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

fs.writeFileSync(path.join(dir, 'hooks.mjs'), `import fs from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) fs.appendFileSync(file, r.url + '\\n');
  return r;
}
`);
fs.writeFileSync(path.join(dir, 'main.mjs'), `import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url).href, { data: { file: process.argv[2] } });
await import(process.argv[3]);
`);

/** The dist/src modules that importing `module` (a path under dist/src) loads, as paths under dist/src. */
function loadedBy(module: string): string[] {
  const log = path.join(dir, `${module.replace(/\W/g, '_')}.log`);
  execFileSync(process.execPath, [path.join(dir, 'main.mjs'), log, path.join(DIST, module)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)
    .map((u) => fileURLToPath(u)).filter((p) => p.startsWith(DIST)).map((p) => p.slice(DIST.length));
}

for (const module of ['commands/ps.js', 'cli/main.js']) {
  test(`${module} loads neither the image nor the VM code`, () => {
    const loaded = loadedBy(module);
    assert.ok(loaded.includes(module), `the hook saw ${module} itself: ${loaded.join(', ')}`);
    const heavy = loaded.filter((p) => /^core\/(vm|images|containers|network|volumes)\//.test(p) || p === 'core/engine.js');
    assert.deepEqual(heavy, [], `loaded at start-up: ${heavy.join(', ')}`);
  });
}

test('control: the hook sees the VM and image code where it is loaded (the daemon\'s engine)', () => {
  const loaded = loadedBy('core/engine.js');
  assert.ok(loaded.some((p) => p.startsWith('core/vm/')) && loaded.some((p) => p.startsWith('core/images/')));
});
