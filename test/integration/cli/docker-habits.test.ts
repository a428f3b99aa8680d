/**
 * The Docker habits of the built CLI, end to end against its own daemon: argument rules (`--help`
 * after the image, repeatable and combined flags, `--`), management-command aliases, --format,
 * colour rules, prompts that refuse without a terminal, prune, completion under a real bash,
 * unknown-command suggestions, doctor and login.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KctlEnv, KCTL_BIN, fixtures } from '../helpers/kctl.js';
import { startRegistry } from '../../fixtures/registry.js';

const IMG = 'kctl.test/busybox:latest';
const ESC = /\x1b\[/;

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('Docker habits of the kctl CLI', () => {
  const env = new KctlEnv('cli');
  after(() => env.teardown());

  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    await env.ok(['run', '--detach', '--quiet', '--name', 'up', IMG, 'sleep', '600']);
    await env.ok(['create', '--name', 'idle', IMG, 'true']);
  });

  test('--help after the image goes to the container; before it, kctl shows its help', async () => {
    const inside = await env.run(['run', '--rm', '-q', IMG, 'ls', '--help']);
    assert.equal(inside.code, 0, inside.stderr);
    assert.match(inside.stdout + inside.stderr, /Usage: ls/);
    assert.doesNotMatch(inside.stdout, /USAGE/);

    const before = (await env.ok(['ps', '--all', '--quiet'])).trim().split('\n').length;
    const help = await env.run(['run', '--rm', '--help', IMG, 'ls']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /kctl run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
    assert.equal((await env.ok(['ps', '--all', '--quiet'])).trim().split('\n').length, before, 'kctl run --help created nothing');

    const exec = await env.run(['exec', 'up', 'ls', '--help']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.stdout + exec.stderr, /Usage: ls/);
  });

  test('repeatable flags take one value each, short flags combine, -- ends the options', async () => {
    const r = await env.run(['run', '--rm', '-qe', 'A=1', '-e', 'B=2', '--env', 'C=3', '--', IMG, 'sh', '-c', 'echo "$A$B$C" "$@"', 'sh', '-e', '--rm']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '123 -e --rm\n');
    assert.equal(r.stderr, '', '-q in a cluster silenced the isolation report');
  });

  test('management commands: container, image and system aliases', async () => {
    assert.match(await env.ok(['container', 'ls', '--format', '{{.Names}}']), /^up$/m);
    assert.equal(await env.ok(['image', 'ls', '--quiet']), await env.ok(['images', '--quiet']));
    assert.equal((await env.ok(['container', 'inspect', '--format', '{{.State.Status}}', 'up'])).trim(), 'running');
    assert.equal((await env.ok(['image', 'inspect', '--format', '{{.Os}}', IMG])).trim(), 'linux');
    assert.equal((await env.ok(['system', 'info', '--format', '{{.Isolation.Kind}}'])).trim(), 'vm');
    const df = await env.ok(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}']);
    assert.match(df, /^Images=1$/m);
    assert.match(df, /^Containers=2$/m);
  });

  test('--format: table, json, printf; -q; --no-trunc', async () => {
    const table = await env.ok(['ps', '--all', '--format', 'table {{.Names}}\t{{.State}}']);
    const lines = table.trimEnd().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(lines[0], ['NAMES', 'STATE']);
    assert.deepEqual(lines.slice(1).sort(), [['idle', 'created'], ['up', 'running']]);
    assert.match(await env.ok(['ps', '--format', 'table']), /^CONTAINER ID\s+IMAGE\s+COMMAND/);
    const json = (await env.ok(['ps', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(json.map((j) => j.Names), ['up']);
    assert.equal(await env.ok(['ps', '--format', '{{printf "%-4s|" .Names}}']), 'up  |\n');
    const ids = (await env.ok(['ps', '--all', '--quiet'])).trim().split('\n');
    assert.ok(ids.length === 2 && ids.every((i) => /^[0-9a-f]{12}$/.test(i)));
    const full = (await env.ok(['ps', '--quiet', '--no-trunc'])).trim();
    assert.match(full, /^[0-9a-f]{64}$/);
    // A status filter needs no --all; -f is --filter, repeatable.
    assert.equal(await env.ok(['ps', '-f', 'status=created', '--format', '{{.Names}}']), 'idle\n');
    assert.deepEqual((await env.ok(['ps', '-a', '-f', 'name=id', '-f', 'name=up', '--format', '{{.Names}}'])).split('\n').sort(), ['', 'idle', 'up'], 'same key: or');
    assert.equal(await env.ok(['ps', '-a', '-f', 'name=up', '-f', 'status=created', '--format', '{{.Names}}']), '', 'different keys: and');
    assert.equal(await env.ok(['images', '--filter', 'reference=kctl.test/*', '--format', '{{.Repository}}:{{.Tag}}']), `${IMG}\n`);
    assert.equal(await env.ok(['images', '--filter', 'dangling=true', '--quiet']), '');
    assert.equal((await env.run(['ps', '--filter', 'colour=red'])).code, 125);
  });

  test('no escape sequences when piped or with NO_COLOR, in results, help and errors', async () => {
    for (const extra of [{ NO_COLOR: '' }, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
      const cases = [['ps', '--all'], ['images'], ['doctor'], ['run', '--help'], ['rm', 'no-such-container'], ['imagse']];
      const results = await Promise.all(cases.map((args) => env.run(args, { env: extra })));
      cases.forEach((args, i) => {
        assert.doesNotMatch(results[i].stdout, ESC, `stdout of kctl ${args.join(' ')} with ${JSON.stringify(extra)}`);
        assert.doesNotMatch(results[i].stderr, ESC, `stderr of kctl ${args.join(' ')} with ${JSON.stringify(extra)}`);
      });
    }
  });

  test('prune without a terminal refuses at once and removes nothing; -f removes only stopped containers', async () => {
    for (const args of [['container', 'prune'], ['image', 'prune', '--all'], ['system', 'prune']]) {
      const r = await env.run(args, { timeoutMs: 30_000 });
      assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /stdin is not a terminal/);
      assert.match(r.stderr, /--force/);
      assert.equal(r.stdout, '');
    }
    assert.match(await env.ok(['ps', '--all', '--format', '{{.Names}}']), /^idle$/m);
    assert.match(await env.ok(['images', '--quiet']), /^[0-9a-f]{12}$/m);

    const idleId = (await env.ok(['inspect', '--format', '{{.Id}}', 'idle'])).trim();
    const pruned = await env.ok(['container', 'prune', '--force']);
    assert.match(pruned, new RegExp(`^Deleted Containers:\\n${idleId}\\n`));
    assert.match(pruned, /^Total reclaimed space: /m);
    assert.equal((await env.ok(['ps', '--all', '--format', '{{.Names}}'])).trim(), 'up');
    assert.ok(!fs.existsSync(path.join(env.root, 'containers', idleId)));
  });

  test('on a terminal (tmux): prune asks and acts only on yes; colour unless NO_COLOR or --no-color', async (t) => {
    const { execFileSync } = await import('node:child_process');
    const session = `kctl-test-${process.pid}-${Date.now()}`;
    const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
    const envArgs = Object.entries({ KCTL_ROOT: env.root, NO_COLOR: '', PATH: process.env.PATH ?? '' }).map(([k, v]) => `${k}=${v}`);
    let n = 0;
    /** Runs one command line in a fresh tmux window; returns the screen (with escapes) once it exits. */
    const onTerminal = async (cmd: string, keys: string[] = []) => {
      const win = `${session}:${++n}`;
      tmux('new-window', '-t', session, '-n', String(n), 'env', ...envArgs, 'bash', '--norc', '-c', `${cmd}; echo "EXIT=$?"; sleep 600`);
      const screen = () => tmux('capture-pane', '-e', '-p', '-t', win);
      for (let i = 0; i < 300 && !/EXIT=\d+|\?.*\(y\/N\)/.test(screen()); i++) await new Promise((r) => setTimeout(r, 100));
      for (const k of keys) tmux('send-keys', '-t', win, k);
      for (let i = 0; i < 300 && !/EXIT=\d+/.test(screen()); i++) await new Promise((r) => setTimeout(r, 100));
      return screen();
    };
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', 'sleep', '600');
    t.after(() => { try { tmux('kill-session', '-t', session); } catch { /* gone */ } });
    const kctl = `${JSON.stringify(process.execPath)} ${JSON.stringify(KCTL_BIN)}`;

    await env.ok(['create', '--name', 'asked', IMG, 'true']);
    const no = await onTerminal(`${kctl} container prune`, ['n', 'Enter']);
    assert.match(no, /Are you sure you want to continue\?/);
    assert.match(no, /EXIT=0/);
    assert.match(await env.ok(['ps', '--all', '--format', '{{.Names}}']), /^asked$/m, 'answering no removes nothing');
    const yes = await onTerminal(`${kctl} container prune`, ['y', 'Enter']);
    assert.match(yes, /Deleted Containers:/);
    assert.doesNotMatch(await env.ok(['ps', '--all', '--format', '{{.Names}}']), /^asked$/m);

    const COLOUR = /\x1b\[3[0-9](;[0-9]+)*m/;
    assert.match(await onTerminal(`${kctl} doctor`), COLOUR, 'doctor colours its results on a terminal');
    assert.doesNotMatch(await onTerminal(`NO_COLOR=1 ${kctl} doctor`), COLOUR);
    assert.doesNotMatch(await onTerminal(`${kctl} doctor --no-color`), COLOUR);
  });

  test('completion under bash: commands, flags, names by state, image:tag words', async () => {
    const script = await env.ok(['completion', 'bash']);
    const file = path.join(env.root, 'kctl.bash');
    fs.writeFileSync(file, script);
    const shellEnv = { ...env.env(), KCTL_NODE: process.execPath, KCTL_BIN_JS: KCTL_BIN };
    const ask = async (line: string) => {
      const r = await bash(`kctl() { "$KCTL_NODE" "$KCTL_BIN_JS" "$@"; }
source "${file}"
complete -p kctl
COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"; COMP_CWORD=\${#COMP_WORDS[@]}
_kctl_complete
printf '%s\\n' "\${COMPREPLY[@]}"`, shellEnv);
      assert.equal(r.code, 0, r.stderr);
      const [spec, ...words] = r.stdout.trimEnd().split('\n');
      assert.match(spec, /complete -F _kctl_complete kctl/);
      return words.filter(Boolean);
    };
    await env.ok(['create', '--name', 'later', IMG, 'true']);
    try {
      assert.deepEqual(await ask('kctl sto'), ['stop']);
      assert.deepEqual(await ask('kctl container pr'), ['prune']);
      assert.deepEqual(await ask('kctl stop '), ['up']);
      assert.deepEqual(await ask('kctl logs '), ['up']);
      assert.deepEqual(await ask('kctl start '), ['later']);
      assert.deepEqual(await ask('kctl ps --no-t'), ['--no-trunc']);
      assert.deepEqual(await ask('kctl run --pull n'), ['never']);
      assert.deepEqual(await ask('kctl run --rm kctl.test/busybox:la'), ['latest'], 'bash splits words at ":"');
    } finally {
      await env.ok(['rm', 'later']);
    }
  });

  test('completion never starts a daemon: without one it completes no names', async () => {
    const fresh = new KctlEnv('cmp');
    try {
      const r = await fresh.run(['__complete', 'stop', '']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, ':4\n');
      assert.match(await fresh.ok(['__complete', '']), /^run\t/m);
      assert.ok(!fs.existsSync(path.join(fresh.root, 'kctld.sock')));
      assert.ok(!fs.existsSync(path.join(fresh.root, 'kctld.pid')));
    } finally {
      await fresh.teardown();
    }
  });

  test('completion under fish (complete -C) and zsh (a terminal in tmux)', async (t) => {
    assert.equal((await env.run(['completion', 'tcsh'])).code !== 0, true);
    const { execFileSync } = await import('node:child_process');
    const has = (prog: string) => { try { execFileSync('sh', ['-c', `command -v ${prog}`]); return true; } catch { return false; } };
    const kctlFn = `${JSON.stringify(process.execPath)} ${JSON.stringify(KCTL_BIN)}`;
    if (has('fish')) {
      const file = path.join(env.root, 'kctl.fish');
      fs.writeFileSync(file, await env.ok(['completion', 'fish']));
      const out = execFileSync('fish', ['--no-config', '-c', `function kctl; ${kctlFn} $argv; end; source ${file}; complete -C 'kctl sto'; complete -C 'kctl logs '; complete -C 'kctl run --rm kctl.test/busybox:la'`], { env: env.env(), encoding: 'utf8', timeout: 60_000 });
      assert.deepEqual(out.trimEnd().split('\n').map((l) => l.split('\t')[0]), ['stop', 'up', 'kctl.test/busybox:latest']);
    } else t.diagnostic('fish is not installed: fish completion not exercised');
    if (has('zsh') && has('tmux')) {
      const file = path.join(env.root, '_kctl');
      fs.writeFileSync(file, await env.ok(['completion', 'zsh']));
      const session = `kctl-zsh-${process.pid}-${Date.now()}`;
      const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
      tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '20', 'env', `KCTL_ROOT=${env.root}`, 'NO_COLOR=1', 'zsh', '-f');
      t.after(() => { try { tmux('kill-session', '-t', session); } catch { /* gone */ } });
      const waitFor = async (re: RegExp) => {
        for (let i = 0; i < 200; i++) {
          const screen = tmux('capture-pane', '-p', '-t', session);
          if (re.test(screen)) return screen;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.fail(`zsh screen never matched ${re}:\n${tmux('capture-pane', '-p', '-t', session)}`);
      };
      tmux('send-keys', '-t', session, `autoload -U compinit && compinit -u; kctl() { ${kctlFn} "$@" }; source ${file}; echo READY`, 'Enter');
      await waitFor(/^READY$/m);
      tmux('send-keys', '-t', session, 'kctl logs ', 'Tab');
      await waitFor(/kctl logs up\b/);
      tmux('send-keys', '-t', session, 'C-u', 'kctl rmi kctl.test/bu', 'Tab');
      await waitFor(/kctl rmi kctl\.test\/busybox:latest/);
    } else t.diagnostic('zsh or tmux is not installed: zsh completion not exercised');
  });

  test('an unknown command suggests the closest ones and runs nothing', async () => {
    const r = await env.run(['imagse']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /'imagse' is not a kctl command/);
    assert.match(r.stderr, /Did you mean this\?\n\timage\n\timages\n/);
    const sub = await env.run(['container', 'lss']);
    assert.match(sub.stderr, /\tcontainer ls\n/);
    assert.match(sub.stderr, /See 'kctl container --help'/);
  });

  test('doctor: one line per check, exit status follows the failures', async () => {
    const r = await env.run(['doctor']);
    for (const name of ['QEMU', 'virtiofsd', 'Guest kernel', 'Accelerator', 'State root', 'gRPC socket', 'cgroups', 'passt', 'Native helpers', 'Same-page merging']) {
      assert.match(r.stdout, new RegExp(`^\\[[ a-zA-Z]{4}\\] ${name.replace('/', '\\/')}`, 'm'));
    }
    assert.equal(r.code, /^\[FAIL\]/m.test(r.stdout) ? 1 : 0);
    const checks = (await env.run(['doctor', '--format', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const grpc = checks.find((c) => c.Name === 'gRPC socket');
    assert.equal(grpc.Status, 'ok');
    assert.match(grpc.Result, /mode 0600/);
  });

  test('login: --password-stdin checks and saves; without a terminal it never prompts; logout removes', async (t) => {
    const reg = await startRegistry(t, { auth: 'htpasswd' });
    const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-dcfg-'));
    t.after(() => fs.rmSync(dockerConfig, { recursive: true, force: true }));
    const e = { DOCKER_CONFIG: dockerConfig };
    const cfg = () => (fs.existsSync(path.join(dockerConfig, 'config.json')) ? JSON.parse(fs.readFileSync(path.join(dockerConfig, 'config.json'), 'utf8')) : {});

    const bad = await env.run(['login', '--username', 'kctl', '--password-stdin', reg.host], { input: 'wrong\n', env: e });
    assert.notEqual(bad.code, 0);
    assert.equal(cfg().auths?.[reg.host], undefined);

    const noTty = await env.run(['login', reg.host], { env: e, timeoutMs: 30_000 });
    assert.equal(noTty.code, 125);
    assert.match(noTty.stderr, /non TTY/);
    assert.match(noTty.stderr, /--password-stdin/);

    const ok = await env.run(['login', '-u', 'kctl', '--password-stdin', reg.host], { input: `${reg.users.kctl}\n`, env: e });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'Login Succeeded\n');
    assert.ok(cfg().auths?.[reg.host]?.auth);

    const out = await env.run(['logout', reg.host], { env: e });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`Removing login credentials for ${reg.host.replace(/\./g, '\\.')}`));
    assert.equal(cfg().auths?.[reg.host], undefined);
  });

  test('system events streams container events with filters and --format', async (t) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [KCTL_BIN, 'events', '--filter', 'event=destroy', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { env: env.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    // The subscription starts at some point after spawn: make events until one arrives (bounded).
    for (let i = 0; i < 40 && !out; i++) {
      await env.ok(['create', '--name', `ev-${i}`, IMG, 'true']);
      await env.ok(['rm', `ev-${i}`]);
    }
    assert.match(out, /^destroy ev-\d+$/m);
    assert.doesNotMatch(out, /create/);
  });

  test('image prune --all --force removes unused images and their unpacked layers', async () => {
    await env.ok(['rm', '--force', 'up']);
    const layersBefore = fs.readdirSync(path.join(env.root, 'layers')).filter((d) => d !== 'meta' && !d.startsWith('.'));
    assert.ok(layersBefore.length > 0, 'running a container unpacked layers');
    const out = await env.ok(['image', 'prune', '--all', '--force']);
    assert.match(out, /^untagged: kctl\.test\/busybox:latest$/m);
    assert.match(out, /^deleted: sha256:[0-9a-f]{64}$/m);
    assert.equal(await env.ok(['images', '--quiet']), '');
    const layersAfter = fs.readdirSync(path.join(env.root, 'layers')).filter((d) => layersBefore.includes(d));
    assert.deepEqual(layersAfter, []);
  });
});
