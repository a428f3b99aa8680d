/**
 * The command line's entry, called by bin/run.js: Docker's argv rules, then oclif.
 *
 * In the bundle that scripts/build.sh makes (dist/kctl.cjs, see scripts/bundle.mjs), the commands are
 * part of the same file and `commands` maps each command id to a loader that imports its module
 * from the bundle. oclif still reads oclif.manifest.json for the list of commands, their flags and
 * their help; only the loading of the one command that runs goes through `commands`.
 */
import fs from 'node:fs';
import { Config, execute, type Command } from '@oclif/core';
import { shieldContainerArgv } from './argv.js';

export type CommandLoaders = Record<string, () => Promise<{ default: Command.Class }>>;

/** Runs kctl with `args` (process.argv without node and the script); `root` is the package's directory. */
export async function main(args: string[], root: string, commands?: CommandLoaders): Promise<void> {
  let argv = args;
  if (argv.includes('--help')) {
    // `kctl run IMAGE CMD --help` passes --help to the container (Docker's rule), not to oclif.
    argv = shieldContainerArgv(argv, (command) => {
      try {
        const manifest = JSON.parse(fs.readFileSync(`${root}/oclif.manifest.json`, 'utf8'));
        return manifest.commands?.[command]?.flags;
      } catch {
        return undefined;
      }
    });
  }
  // Completion requests carry partial words (`--he`, `--help`) that oclif must not act on.
  if (argv[0] === '__complete') argv = ['__complete', '--', ...argv.slice(1)];

  if (!commands) {
    await execute({ args: argv, dir: root });
    return;
  }
  const config = await Config.load(root);
  const plugin = config.plugins.get(config.pjson.name)!;
  plugin.findCommand = (async (id: string, opts: { must?: boolean } = {}) => {
    const load = Object.hasOwn(commands, id) ? commands[id] : undefined;
    if (!load) {
      if (opts.must) throw new Error(`command ${id} not found`);
      return undefined;
    }
    const cmd = (await load()).default;
    cmd.id = id;
    cmd.plugin = plugin;
    return cmd;
  }) as typeof plugin.findCommand;
  await execute({ args: argv, loadOptions: config });
}
