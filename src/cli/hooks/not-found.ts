/**
 * An unknown command: say so, suggest the closest commands (as Docker does with Cobra), and exit 1.
 * Never prompts and never runs a guessed command: `kctl rn web` must not become `kctl rm web`.
 */
import type { Hook } from '@oclif/core';
import { closestCommands } from '../suggest.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const sep = opts.config.topicSeparator;
  const ids = [...opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...(c.aliases ?? [])])];
  // `kctl rn web` arrives as "rn:web": only a known topic makes the second word part of the command.
  const [first] = opts.id.split(':');
  const topic = opts.id.includes(':') && opts.config.findTopic(first) ? first : '';
  const id = topic ? opts.id : first;
  const typed = id.split(':').join(sep);
  const suggestions = closestCommands(id, ids).map((s) => s.split(':').join(sep));
  let out = `${opts.config.bin}: '${typed}' is not a ${opts.config.bin} command.\n`;
  if (suggestions.length) out += `\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}\n`;
  out += `See '${opts.config.bin}${topic ? ` ${topic}` : ''} --help'.\n`;
  process.stderr.write(out);
  process.exit(1);
};

export default hook;
