/**
 * The docker CLI (/usr/local/bin/docker) as a black-box client of kctl's Docker Engine API:
 * DOCKER_HOST=unix://<root>/docker.sock, a private DOCKER_CONFIG, one kctld with real microVMs,
 * and a real registry for pulls (including `docker run`'s create -> 404 -> pull -> create dance).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KctlEnv, fixtures, runProgram } from '../helpers/kctl.js';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';

const DOCKER = '/usr/local/bin/docker';
const haveDocker = fs.existsSync(DOCKER);

interface Result { code: number; stdout: string; stderr: string }

describe('docker CLI against kctl', { skip: haveDocker ? false : `${DOCKER} is not installed` }, () => {
  const env = new KctlEnv('dcli');
  let reg: TestRegistry | undefined;
  let image: string;
  after(async () => {
    await env.teardown();
    await reg?.stop();
  });

  const docker = (args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<Result> =>
    runProgram(DOCKER, args, { env: env.dockerEnv(), input: o.input, timeoutMs: o.timeoutMs ?? 60000, what: `docker ${args.join(' ')}`, detail: () => `kctld log: ${daemonLogTail()}` });
  const daemonLogTail = () => {
    try {
      return fs.readFileSync(path.join(env.root, 'kctld.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(none)';
    }
  };
  const ok = async (args: string[], o?: { input?: string }) => {
    const r = await docker(args, o);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    reg = await startRegistry(undefined);
    const f = fixtures();
    await reg.push(f.KCTL_FIXTURE_BUSYBOX, 'library/busybox:1.0');
    await reg.push(f.KCTL_FIXTURE_BUSYBOX, 'library/busybox:2.0');
    image = `${reg.host}/library/busybox:1.0`;
    fs.chmodSync(env.root, 0o711); // as kctld makes a state root: VM helpers running as nobody (passt) traverse it
    await env.ok(['ps']); // starts the daemon for this root
  });

  test('version and info talk to kctl (API 1.43 negotiated)', async () => {
    assert.equal((await ok(['version', '--format', '{{.Server.APIVersion}}'])).trim(), '1.43');
    const info = await ok(['info', '--format', '{{.OSType}} {{.DefaultRuntime}}']);
    assert.equal(info.trim(), 'linux kctl');
  });

  test('pull, then images lists it', async () => {
    const out = await ok(['pull', image]);
    assert.match(out, /Digest: sha256:[0-9a-f]{64}/);
    const images = await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.ok(images.split('\n').includes(image), images);
  });

  test('run --rm prints the output and returns the exit code', async () => {
    const hi = await docker(['run', '--rm', image, 'echo', 'hi']);
    assert.equal(hi.code, 0, hi.stderr);
    assert.equal(hi.stdout, 'hi\n');
    const three = await docker(['run', '--rm', image, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(three.code, 3, three.stderr);
    assert.equal(three.stdout, 'out\n');
    assert.equal(three.stderr, 'err\n');
    const all = await ok(['ps', '-a', '--format', '{{.ID}}']);
    assert.equal(all.trim(), '', '--rm removed the containers');
  });

  test('run of an image that is not present pulls it first (create 404 -> pull -> create)', async () => {
    const other = `${reg!.host}/library/busybox:2.0`;
    const r = await docker(['run', '--rm', other, 'echo', 'pulled']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pulled\n');
    assert.match(r.stderr, /Unable to find image/);
  });

  test('run of a missing command exits 127', async () => {
    const r = await docker(['run', '--rm', image, '/no/such/binary']);
    assert.equal(r.code, 127, r.stderr);
  });

  test('run -d, ps, logs (stdout and stderr apart), exec, inspect -f, rm -f', async () => {
    const name = 'web1';
    const id = (await ok(['run', '-d', '--name', name, image, 'sh', '-c', 'echo to-out; echo to-err >&2; exec sleep 600'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = await ok(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}}']);
    assert.match(ps, new RegExp(`^${id.slice(0, 12)} ${name} Up`, 'm'));
    assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', name])).trim(), 'running');

    let logs: Result = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 50; i++) { // the process writes asynchronously to its start; bounded
      logs = await docker(['logs', name]);
      if (logs.stdout && logs.stderr) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'to-out\n');
    assert.equal(logs.stderr, 'to-err\n');

    const ex = await docker(['exec', name, 'sh', '-c', 'echo exec-out; exit 5']);
    assert.equal(ex.code, 5, ex.stderr);
    assert.equal(ex.stdout, 'exec-out\n');
    assert.equal(await ok(['exec', '-i', name, 'cat'], { input: 'via-stdin\n' }), 'via-stdin\n');

    await ok(['rm', '-f', name]);
    const gone = await docker(['inspect', name]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such (object|container)/);
  });

  test('run -it and exec -it in a terminal (tmux): prompt, window size, input, exit code', { skip: fs.existsSync('/usr/bin/tmux') ? false : 'tmux is not installed' }, async (t) => {
    const session = `kctl-dcli-${process.pid}`;
    const rcFile = path.join(env.root, 'tty.rc');
    const sock = path.join(env.root, 'docker.sock');
    const tmux = (...args: string[]) => new Promise<string>((resolve, reject) => {
      const child = spawn('tmux', ['-L', session, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      child.stdout.on('data', (d) => out.push(d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`tmux ${args[0]} exited ${code}`))));
    });
    const screenShows = async (re: RegExp) => {
      let screen = '';
      for (let i = 0; i < 100; i++) { // bounded: 20 s
        screen = await tmux('capture-pane', '-p', '-t', session);
        if (re.test(screen)) return screen;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.fail(`the terminal never showed ${re}:\n${screen}`);
    };
    t.after(() => tmux('kill-server').catch(() => undefined));
    const name = 'tty1';
    const envs = `DOCKER_HOST=unix://${sock} DOCKER_CONFIG=${path.join(env.root, 'docker-config')}`;
    await tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30',
      `env ${envs} ${DOCKER} run -it --name ${name} ${image} sh; echo "rc=$?" > ${rcFile}; sleep 60`);
    await screenShows(/^\/ #/m);
    await tmux('send-keys', '-t', session, 'stty size; echo tty-$((6*7))', 'Enter');
    await screenShows(/^30 100$[\s\S]*^tty-42$/m);

    // exec -it into the same container from a second window
    await tmux('new-window', '-t', session, `env ${envs} ${DOCKER} exec -it ${name} sh -c 'tty; echo exec-$((2*3)); read x; exit 7'; echo "rc=$?" > ${rcFile}.exec; sleep 60`);
    await screenShows(/exec-6/);
    const execScreen = await tmux('capture-pane', '-p', '-t', session);
    assert.match(execScreen, /^\/dev\/pts\/\d+$/m, 'the exec has a terminal');
    await tmux('send-keys', '-t', session, 'Enter');
    for (let i = 0; i < 100 && !fs.existsSync(`${rcFile}.exec`); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(fs.readFileSync(`${rcFile}.exec`, 'utf8').trim(), 'rc=7');

    await tmux('select-window', '-t', `${session}:0`);
    await tmux('send-keys', '-t', `${session}:0`, 'exit 4', 'Enter');
    for (let i = 0; i < 100 && !fs.existsSync(rcFile); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(fs.readFileSync(rcFile, 'utf8').trim(), 'rc=4');
    await ok(['rm', name]);
  });

  test('volume ls: several label filters must all match, as in Docker', async (t) => {
    const [both, one] = [`lblboth${process.pid}`, `lblone${process.pid}`];
    await ok(['volume', 'create', '--label', 'tier=web', '--label', 'env=prod', both]);
    await ok(['volume', 'create', '--label', 'tier=web', one]);
    t.after(async () => { await docker(['volume', 'rm', both, one]); });
    const ls = async (...filters: string[]) => (await ok(['volume', 'ls', '-q', ...filters.flatMap((x) => ['--filter', x])])).split('\n').filter(Boolean).sort();
    assert.deepEqual(await ls('label=tier=web'), [both, one].sort());
    assert.deepEqual(await ls('label=tier=web', 'label=env=prod'), [both]);
    assert.deepEqual(await ls('label=tier=web', 'label=env'), [both]);
    assert.deepEqual(await ls('label=env=dev'), []);
  });

  test('pause, unpause, rename, top, stats, cp, a bind mount and a named volume', async (t) => {
    const hostDir = fs.mkdtempSync(path.join(env.root, 'bind-'));
    fs.writeFileSync(path.join(hostDir, 'from-host'), 'host-data\n');
    const vol = `vol${process.pid}`;
    await ok(['volume', 'create', vol]);
    t.after(async () => { await docker(['rm', '-f', 'ops2']); await docker(['volume', 'rm', vol]); });
    const id = (await ok(['run', '-d', '--name', 'ops1', '-v', `${hostDir}:/h`, '-v', `${vol}:/data`, image, 'sh', '-c', 'echo kept > /data/x; exec sleep 600'])).trim();

    await ok(['pause', 'ops1']);
    assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'ops1'])).trim(), 'paused true');
    await ok(['unpause', 'ops1']);
    assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', 'ops1'])).trim(), 'running');
    await ok(['rename', 'ops1', 'ops2']);
    assert.equal((await ok(['inspect', '-f', '{{.Name}}', id])).trim(), '/ops2');

    const top = await ok(['top', 'ops2']);
    assert.match(top, /sleep 600/);
    const stats = await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'ops2']);
    assert.match(stats, /^ops2 \d+$/m);

    assert.equal(await ok(['exec', 'ops2', 'cat', '/h/from-host']), 'host-data\n');
    const src = path.join(env.root, 'cp-in.txt');
    fs.writeFileSync(src, 'copied-in\n');
    await ok(['cp', src, 'ops2:/tmp/']);
    assert.equal(await ok(['exec', 'ops2', 'cat', '/tmp/cp-in.txt']), 'copied-in\n');
    const dst = path.join(env.root, 'cp-out');
    await ok(['cp', 'ops2:/tmp/cp-in.txt', dst]);
    assert.equal(fs.readFileSync(dst, 'utf8'), 'copied-in\n');

    await ok(['rm', '-f', 'ops2']);
    assert.equal(await ok(['run', '--rm', '-v', `${vol}:/data`, image, 'cat', '/data/x']), 'kept\n');
  });

  test('errors come back as Docker messages', async () => {
    const r = await docker(['inspect', '--type', 'container', 'no-such-container']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such container: no-such-container/);
    const v = await docker(['run', '--rm', '--network', 'host', image, 'true']);
    assert.equal(v.code, 125);
    assert.match(v.stderr, /not supported/);
  });
});
