// oclif lists commands in the order its file glob returns them, which differs between machines
// (seen: topic folders swapped when HOME changed). Sorting the command ids makes the committed
// oclif.manifest.json a pure function of the sources, so CI's staleness check compares like with like.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../oclif.manifest.json', import.meta.url);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const commands = {};
for (const id of Object.keys(manifest.commands).sort()) commands[id] = manifest.commands[id];
manifest.commands = commands;
writeFileSync(file, JSON.stringify(manifest, null, 2));
