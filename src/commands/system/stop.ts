import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlCommand } from '../../cli/base.js';
import { call, connect } from '../../cli/client.js';
import { isKctlError, unavailable } from '../../core/errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export default class SystemStop extends KctlCommand {
  static override summary = 'Stop the kctld daemon (running containers keep running and are re-adopted by the next daemon)';
  static override usage = 'system stop';
  static override examples = [{ description: 'Stop the daemon of the current state root', command: '<%= config.bin %> system stop' }];

  async run(): Promise<void> {
    await this.parse(SystemStop);
    let c;
    try {
      c = await connect({ autoStart: false });
    } catch (err) {
      if (isKctlError(err, 'unavailable')) { process.stderr.write('kctld is not running\n'); return; }
      throw err;
    }
    const { pid } = await call<object, { pid: number }>(c.system, 'Ping', {});
    await call(c.system, 'Shutdown', {});
    c.close();
    // Bounded: the daemon closes its listeners and exits; VMs keep running.
    for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(50);
    if (isAlive(pid)) throw unavailable(`kctld (pid ${pid}) did not exit within 10s`, { hint: `see ${c.layout.daemonLog}` });
    process.stderr.write('kctld stopped\n');
  }
}
