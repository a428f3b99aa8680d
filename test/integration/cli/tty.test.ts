/**
 * Real terminals, tested the way a person uses them: kctl runs inside a tmux pane (its own tmux
 * server), keys are typed with send-keys and the screen is read with capture-pane.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, KCTL_BIN, fixtures } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('terminals (under tmux)', () => {
  const env = new KctlEnv('tty');
  const server = `kctl-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', 't');
  const type = (...keys: string[]) => tmux('send-keys', '-t', 't', ...keys);
  async function waitFor(re: RegExp, what: string, boundMs = 30000): Promise<string> {
    const end = Date.now() + boundMs;
    for (;;) {
      const s = screen();
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await sleep(100);
    }
  }
  /** Types a command that prints a unique marker around its output, and returns that output. */
  let n = 0;
  async function run(cmd: string): Promise<string> {
    const tag = `M${++n}x`;
    type('clear', 'Enter');
    await sleep(200);
    type(`echo ${tag}-begin; ${cmd}; echo ${tag}-end`, 'Enter');
    const s = await waitFor(new RegExp(`^${tag}-end\\s*$`, 'm'), cmd);
    const m = new RegExp(`^${tag}-begin\\s*$([\\s\\S]*?)^${tag}-end\\s*$`, 'm').exec(s);
    return (m?.[1] ?? '').trim();
  }

  before(async () => {
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 't', '-x', '100', '-y', '30', 'bash', '--norc', '--noprofile');
    tmux('set-option', '-g', 'status', 'off');
    type(`export KCTL_ROOT=${env.root} NO_COLOR=1 PS1='host$ '`, 'Enter');
    await waitFor(/^host\$\s*$/m, 'the host shell');
  });
  after(async () => {
    try { tmux('kill-server'); } catch { /* already gone */ }
    await env.teardown();
  });

  test('run -it gives a tty of the pane size that follows a resize; ctrl-c reaches the process', async () => {
    type(`node ${KCTL_BIN} run -it --rm -q --name box ${IMG} sh`, 'Enter');
    await waitFor(/^\/ #\s*$/m, 'the container shell prompt');
    assert.equal(await run('stty size'), '30 100');
    assert.equal(await run('tty'), '/dev/pts/0');
    tmux('resize-window', '-t', 't', '-x', '120', '-y', '40');
    await sleep(300);
    assert.equal(await run('stty size'), '40 120');

    // ctrl-c interrupts the foreground process inside the container, not kctl.
    type('clear', 'Enter');
    type('sleep 300', 'Enter');
    await sleep(500);
    type('C-c');
    assert.equal(await run('echo alive-$((40+2))'), 'alive-42');
  });

  test('ctrl-p ctrl-q detaches and leaves the container running; attach comes back; the terminal is restored', async () => {
    type('C-p', 'C-q');
    await waitFor(/read escape sequence/, 'the detach message');
    await waitFor(/^host\$\s*$/m, 'the host prompt after detaching');
    assert.match(await env.ok(['ps', '--format', '{{.Names}} {{.State}}']), /^box running$/m);
    // The host terminal is back in cooked mode with echo.
    const modes = await run('stty -a');
    assert.match(modes, /(^|\s)icanon(\s|$)/);
    assert.match(modes, /(^|\s)echo(\s|$)/);

    type('clear', 'Enter');
    type(`node ${KCTL_BIN} attach box`, 'Enter');
    await sleep(1000);
    type('Enter');
    await waitFor(/^\/ #\s*$/m, 'the container prompt after attach');
    assert.equal(await run('echo back-$((1+1))'), 'back-2');
    type('exit', 'Enter');
    await waitFor(/^host\$\s*$/m, 'the host prompt after exit');
    type('s=$?', 'Enter');
    assert.equal(await run('echo status=$s'), 'status=0');
    // --rm: the container is gone once it exited.
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
  });

  test('exec -it gets its own tty in a running container', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'svc', IMG, 'sleep', '300']);
    type('clear', 'Enter');
    type(`node ${KCTL_BIN} exec -it svc sh`, 'Enter');
    await waitFor(/^\/ #\s*$/m, 'the exec shell prompt');
    assert.equal(await run('stty size'), tmux('display-message', '-p', '-t', 't', '#{pane_height} #{pane_width}').trim());
    assert.equal(await run('cat /proc/1/cmdline | tr "\\0" " "; echo'), 'sleep 300');
    type('exit 4', 'Enter');
    await waitFor(/^host\$\s*$/m, 'the host prompt');
    type('s=$?', 'Enter');
    assert.equal(await run('echo status=$s'), 'status=4');
    await env.ok(['rm', '-f', 'svc']);
  });
});
