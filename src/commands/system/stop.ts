import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlCommand } from '../../cli/base.js';
import { call, connect } from '../../cli/client.js';
import { isKctlError } from '../../core/errors.js';

export default class SystemStop extends KctlCommand {
  static override summary = 'Stop the kctld daemon (running containers keep running and are re-adopted by the next daemon)';
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
    await call(c.system, 'Shutdown', {});
    c.close();
    for (let i = 0; i < 100 && fs.existsSync(c.layout.grpcSocket); i++) await sleep(50);
    process.stderr.write('kctld stopped\n');
  }
}
