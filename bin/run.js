#!/usr/bin/env node
// kctl, the command line. `node bin/run.js` from a checkout; `kctl` once installed.
// It runs the bundle that the build makes (dist/kctl.cjs, loaded through a V8 code cache), or the
// modules of dist/ one by one when there is no bundle.
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/src/cli/launch.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = loadBundle(`${root}dist/kctl.cjs`);
if (bundle) await bundle.run(process.argv.slice(2), root);
else await (await import('../dist/src/cli/main.js')).main(process.argv.slice(2), root);
