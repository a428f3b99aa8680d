/**
 * Docker's argument rules for commands that run something (run, create, exec): options come before
 * the first positional (the image or the container), and everything after it belongs to the
 * container untouched (`kctl run --rm busybox ls -la /`). Combined short options (`-it`, `-dp 80:80`,
 * `-p80:80`) are expanded, and `--` ends the options.
 */
export interface FlagShape {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
}

export interface SplitArgv {
  /** The option part, expanded, ready for oclif's parser. */
  options: string[];
  /** The first positional and everything after it. */
  positionals: string[];
}

export function splitDockerArgv(argv: string[], flags: Record<string, { type: string; char?: string }>): SplitArgv {
  const byLong = new Map<string, FlagShape>();
  const byChar = new Map<string, FlagShape>();
  for (const [name, f] of Object.entries(flags)) {
    const shape: FlagShape = { name, char: f.char, type: f.type === 'boolean' ? 'boolean' : 'option' };
    byLong.set(name, shape);
    if (f.char) byChar.set(f.char, shape);
  }
  const options: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i];
    if (a === '--') return { options, positionals: argv.slice(i + 1) };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const f = byLong.get(name) ?? (name.startsWith('no-') ? byLong.get(name.slice(3)) : undefined);
      options.push(a);
      if (f && f.type === 'option' && eq < 0 && i + 1 < argv.length) options.push(argv[++i]);
      i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A cluster of short options: booleans, and at most one option taking a value (last).
      for (let j = 1; j < a.length; j++) {
        const f = byChar.get(a[j]);
        if (!f) { options.push(`-${a.slice(j)}`); break; } // unknown: let oclif report it
        options.push(`-${a[j]}`);
        if (f.type === 'option') {
          const rest = a.slice(j + 1);
          if (rest) options.push(rest.startsWith('=') ? rest.slice(1) : rest);
          else if (i + 1 < argv.length) options.push(argv[++i]);
          break;
        }
      }
      i++;
      continue;
    }
    return { options, positionals: argv.slice(i) };
  }
  return { options, positionals: [] };
}

/** Commands whose arguments after the first positional belong to the container. */
const CONTAINER_ARGV_COMMANDS = new Set(['run', 'create', 'exec']);

/**
 * oclif shows a command's help when `--help` appears anywhere before `--`, which would swallow
 * `kctl run busybox ls --help`. For run, create and exec (and their `container` forms) this puts
 * a `--` in front of the first positional when `--help` only occurs after it, so the container
 * gets it; `kctl run --help` still shows kctl's help. `flagsOf` gives a command's flag shapes.
 */
export function shieldContainerArgv(argv: string[], flagsOf: (command: string) => Record<string, { type: string; char?: string }> | undefined): string[] {
  const at = argv[0] === 'container' ? 1 : 0;
  const command = argv[at];
  if (!CONTAINER_ARGV_COMMANDS.has(command) || !argv.includes('--help')) return argv;
  const flags = flagsOf(command);
  if (!flags) return argv;
  const rest = argv.slice(at + 1);
  const { options, positionals } = splitDockerArgv(rest, flags);
  if (options.includes('--help') || !positionals.includes('--help')) return argv;
  // splitDockerArgv expands option clusters; keep the user's words and cut at the same place.
  const cut = rest.length - positionals.length;
  if (rest[cut - 1] === '--') return argv;
  return [...argv.slice(0, at + 1), ...rest.slice(0, cut), '--', ...rest.slice(cut)];
}
