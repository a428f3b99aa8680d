#!/usr/bin/env node
// kctl, the command line. `node bin/run.js` from a checkout; `kctl` once installed.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
