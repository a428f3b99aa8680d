/**
 * Shell completion, answered by `kctl __complete ARGS... CURRENT` with Cobra's protocol (the one
 * `docker __complete` speaks): candidates one per line (`name<TAB>description`), then `:DIRECTIVE`.
 * The shell scripts `kctl completion bash|zsh|fish` prints are thin: all the knowledge is here.
 *
 * Commands, topics and flags come from the command manifest; container, image, volume and network names come from the
 * daemon, and only when it already runs (completion never starts it, and waits at most ~1.5 s).
 */
export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4 } as const;

export interface CompletionFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  description?: string;
  options?: readonly string[];
  hidden?: boolean;
}

export interface CompletionCommand {
  id: string; // topic:name
  aliases: string[];
  summary?: string;
  hidden?: boolean;
  strict?: boolean;
  args: number; // declared positionals
  flags: CompletionFlag[];
}

export type NameKind = 'running' | 'stopped' | 'containers' | 'images' | 'containers+images' | 'volumes' | 'networks' | 'none';

/** Which daemon names a command's positionals complete to (Docker's choices). */
export function nameKind(command: string): NameKind {
  const name = command.split(':').pop()!;
  const topic = command.includes(':') ? command.split(':')[0] : '';
  if (topic === 'volume') return ['rm', 'remove', 'inspect'].includes(name) ? 'volumes' : 'none';
  if (topic === 'network') return ['rm', 'remove', 'inspect', 'connect', 'disconnect'].includes(name) ? 'networks' : 'none';
  if (topic === 'image' || topic === '' && ['rmi', 'save', 'tag', 'history', 'push'].includes(name)) {
    return ['inspect', 'rm', 'remove', 'save', 'tag', 'history', 'push', 'rmi'].includes(name) ? 'images' : 'none';
  }
  if (['run', 'create'].includes(name)) return 'images';
  if (['logs', 'stop', 'exec', 'kill', 'restart', 'attach', 'pause', 'port', 'top', 'stats'].includes(name)) return 'running';
  if (['start', 'rm', 'remove'].includes(name)) return 'stopped';
  if (['wait', 'export', 'diff', 'rename', 'update', 'unpause', 'commit', 'cp'].includes(name)) return 'containers';
  if (name === 'inspect') return 'containers+images';
  return 'none';
}

/** Commands whose later words belong to the container (only the first positional is completed). */
const FIRST_POSITIONAL_ONLY = new Set(['run', 'create', 'exec']);
/** Flags whose value is a network name (run/create --network, --net). */
const NETWORK_FLAGS = new Set(['network', 'net']);
/** Flags whose value is a path on this host. */
const FILE_FLAGS = new Set(['env-file', 'input', 'output', 'cidfile', 'label-file']);

export interface Names {
  containers(state: 'running' | 'stopped' | 'all'): Promise<Array<{ name: string; description: string }>>;
  images(): Promise<Array<{ name: string; description: string }>>;
  volumes?(): Promise<Array<{ name: string; description: string }>>;
  networks?(): Promise<Array<{ name: string; description: string }>>;
}

export interface CompletionResult {
  candidates: string[];
  directive: number;
}

export async function complete(words: string[], current: string, commands: CompletionCommand[], names: Names | undefined): Promise<CompletionResult> {
  const visible = commands.filter((c) => !c.hidden);
  const ids = new Map<string, CompletionCommand>();
  for (const c of commands) {
    ids.set(c.id, c);
    for (const a of c.aliases) ids.set(a, c);
  }
  // The command: the longest run of leading words that names one (topics are space-separated).
  let command: CompletionCommand | undefined;
  let commandId = '';
  let used = 0;
  for (let n = 1; n <= Math.min(words.length, 3); n++) {
    const id = words.slice(0, n).join(':');
    if (ids.has(id)) { command = ids.get(id); commandId = id; used = n; }
  }
  if (!command) {
    const prefix = words.filter((w) => !w.startsWith('-')).join(':');
    if (words.some((w) => w.startsWith('-'))) return { candidates: [], directive: Directive.NoFileComp };
    const depth = prefix ? prefix.split(':').length : 0;
    const seen = new Map<string, string>();
    for (const c of visible) {
      for (const id of [c.id, ...c.aliases]) {
        const parts = id.split(':');
        if (parts.length <= depth || (depth && parts.slice(0, depth).join(':') !== prefix)) continue;
        const word = parts[depth];
        if (!word.startsWith(current) || word.startsWith('_')) continue;
        const isTopic = parts.length > depth + 1;
        if (!seen.has(word) || !isTopic) seen.set(word, isTopic ? `${word} commands` : c.summary ?? '');
      }
    }
    return { candidates: [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([w, d]) => (d ? `${w}\t${firstLine(d)}` : w)), directive: Directive.NoFileComp };
  }

  const rest = words.slice(used);
  // Walk the words after the command: flags (and their values), then positionals.
  const byLong = new Map(command.flags.map((f) => [f.name, f]));
  const byChar = new Map(command.flags.filter((f) => f.char).map((f) => [f.char!, f]));
  let positionals = 0;
  let pendingValue: CompletionFlag | undefined;
  let afterDashDash = false;
  for (const w of rest) {
    if (pendingValue) { pendingValue = undefined; continue; }
    if (afterDashDash || !w.startsWith('-') || w === '-') {
      positionals++;
      if (FIRST_POSITIONAL_ONLY.has(command.id.split(':').pop()!) && positionals >= 1) afterDashDash = true;
      continue;
    }
    if (w === '--') { afterDashDash = true; continue; }
    if (w.startsWith('--')) {
      const f = byLong.get(w.slice(2));
      if (f?.type === 'option' && !w.includes('=')) pendingValue = f;
    } else {
      const last = byChar.get(w[w.length - 1]);
      const cluster = [...w.slice(1)];
      const valueAt = cluster.findIndex((ch) => byChar.get(ch)?.type === 'option');
      if (valueAt === cluster.length - 1 && last?.type === 'option') pendingValue = last;
    }
  }
  const firstOnly = FIRST_POSITIONAL_ONLY.has(command.id.split(':').pop()!);
  if (pendingValue) {
    if (pendingValue.options?.length) return { candidates: pendingValue.options.filter((o) => o.startsWith(current)), directive: Directive.NoFileComp };
    if (NETWORK_FLAGS.has(pendingValue.name) && names) {
      const list = await names.networks?.().catch(() => []) ?? [];
      return { candidates: list.filter((n) => n.name.startsWith(current)).map((n) => (n.description ? `${n.name}\t${n.description}` : n.name)), directive: Directive.NoFileComp };
    }
    return { candidates: [], directive: FILE_FLAGS.has(pendingValue.name) ? Directive.Default : Directive.NoFileComp };
  }
  if (firstOnly && positionals >= 1) return { candidates: [], directive: Directive.Default };
  if (current.startsWith('-') && !afterDashDash) {
    const out: string[] = [];
    for (const f of command.flags) {
      if (f.hidden) continue;
      const long = `--${f.name}`;
      if (long.startsWith(current)) out.push(`${long}\t${firstLine(f.description ?? '')}`);
      if (f.type === 'boolean' && f.name !== 'help' && `--no-${f.name}`.startsWith(current) && current.startsWith('--no-')) out.push(`--no-${f.name}`);
    }
    if (current.startsWith('--help'.slice(0, Math.max(2, current.length))) && '--help'.startsWith(current)) out.push('--help\tShow help');
    return { candidates: out, directive: Directive.NoFileComp };
  }
  let kind = nameKind(commandId.includes(':') ? commandId : command.id);
  // `network connect|disconnect NETWORK CONTAINER`: the second word is a container.
  if (kind === 'networks' && /^network:(connect|disconnect)$/.test(command.id) && positionals === 1) kind = 'containers';
  if (kind === 'none' || !names) return { candidates: [], directive: Directive.NoFileComp };
  if (command.strict !== false && positionals >= Math.max(command.args, 1) && !firstOnly) return { candidates: [], directive: Directive.NoFileComp };
  let list: Array<{ name: string; description: string }> = [];
  try {
    if (kind === 'images') list = await names.images();
    else if (kind === 'containers+images') list = [...(await names.containers('all')), ...(await names.images())];
    else if (kind === 'volumes') list = (await names.volumes?.()) ?? [];
    else if (kind === 'networks') list = (await names.networks?.()) ?? [];
    else list = await names.containers(kind === 'containers' ? 'all' : kind);
  } catch {
    return { candidates: [], directive: Directive.NoFileComp };
  }
  const already = new Set(rest);
  return {
    candidates: list.filter((n) => n.name.startsWith(current) && !already.has(n.name)).map((n) => (n.description ? `${n.name}\t${n.description}` : n.name)),
    directive: Directive.NoFileComp,
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/\t/g, ' ');
}

export function completionScript(shell: 'bash' | 'zsh' | 'fish', bin = 'kctl'): string {
  if (shell === 'bash') return BASH.replaceAll('__BIN__', bin);
  if (shell === 'zsh') return ZSH.replaceAll('__BIN__', bin);
  return FISH.replaceAll('__BIN__', bin);
}

const BASH = `# bash completion for __BIN__ (kctl completion bash)
# Install: __BIN__ completion bash > /etc/bash_completion.d/__BIN__   (or: source <(__BIN__ completion bash))
___BIN___complete() {
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a args
    read -ra args <<< "$line"
    local cur=""
    if [[ $line != *[[:space:]] ]] && (( \${#args[@]} > 1 )); then
        cur=\${args[-1]}
        unset 'args[-1]'
    fi
    local out
    out=$(__BIN__ __complete "\${args[@]:1}" "$cur" 2>/dev/null) || return 0
    local directive=\${out##*:}
    out=\${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    (( directive & 1 )) && return 0
    COMPREPLY=()
    local c
    while IFS= read -r c; do
        [[ -z $c ]] && continue
        c=\${c%%$'\\t'*}
        [[ $c == "$cur"* ]] && COMPREPLY+=("$c")
    done <<< "$out"
    if (( \${#COMPREPLY[@]} == 0 )) && (( (directive & 4) == 0 )); then
        local IFS=$'\\n'
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
    fi
    # bash splits words at ':' (image:tag): reply with the part after the last one.
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local prefix=\${cur%"\${cur##*:}"}
        local i
        for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]=\${COMPREPLY[i]#"$prefix"}; done
    fi
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    return 0
}
complete -F ___BIN___complete __BIN__
`;

const ZSH = `#compdef __BIN__
# zsh completion for __BIN__ (kctl completion zsh)
# Install: __BIN__ completion zsh > "\${fpath[1]}/___BIN__"   (or: source <(__BIN__ completion zsh))
___BIN__() {
    local -a lines cands
    local out directive line
    out=$(__BIN__ __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1
    for line in "\${lines[@]}"; do
        [[ -z $line ]] && continue
        local name=\${line%%$'\\t'*} desc=""
        [[ $line == *$'\\t'* ]] && desc=\${line#*$'\\t'}
        cands+=("\${name//:/\\\\:}\${desc:+:$desc}")
    done
    if (( \${#cands} )); then
        _describe -t values '__BIN__' cands
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
if [[ $funcstack[1] == ___BIN__ ]]; then ___BIN__ "$@"; else compdef ___BIN__ __BIN__; fi
`;

const FISH = `# fish completion for __BIN__ (kctl completion fish)
# Install: __BIN__ completion fish > ~/.config/fish/completions/__BIN__.fish
function ____BIN___complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l cur (commandline -ct)
    set -l out (__BIN__ __complete $args "$cur" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (math "$directive % 2") -eq 1
        return
    end
    for l in $out
        echo $l
    end
    if test (count $out) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path $cur
    end
end
complete -c __BIN__ -f -a '(____BIN___complete)'
`;
