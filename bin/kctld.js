#!/usr/bin/env node
// kctld, the kctl runtime daemon. The CLI starts it when it is not running; see README.md.
import '../dist/src/daemon/main.js';
