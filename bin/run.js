#!/usr/bin/env node
// kctl, the command line. `node bin/run.js` from a checkout; `kctl` once installed.
import fs from 'node:fs';
import { execute } from '@oclif/core';

let argv = process.argv.slice(2);
if (argv.includes('--help')) {
  // `kctl run IMAGE CMD --help` passes --help to the container (Docker's rule), not to oclif.
  const { shieldContainerArgv } = await import('../dist/src/cli/argv.js');
  argv = shieldContainerArgv(argv, (command) => {
    try {
      const manifest = JSON.parse(fs.readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'));
      return manifest.commands?.[command]?.flags;
    } catch {
      return undefined;
    }
  });
}

// Completion requests carry partial words (`--he`, `--help`) that oclif must not act on.
if (argv[0] === '__complete') argv = ['__complete', '--', ...argv.slice(1)];

await execute({ args: argv, dir: import.meta.url });
