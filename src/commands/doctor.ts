import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { paint, renderFormat } from '../cli/output.js';
import { blocking, runChecks, type CheckStatus } from '../cli/doctor.js';
import { defaultRoot, RootLayout } from '../core/paths.js';

export default class Doctor extends KctlCommand {
  static override summary = 'Check that this host can run kctl containers, and how well';
  static override usage = 'doctor [OPTIONS]';
  static override description = `Checks QEMU and virtiofsd, the guest kernel and initramfs, the KVM self-test (KVM or TCG, and why), memory for guest RAM, the state root's filesystem and free space, the daemon's sockets and their modes, the cgroup mode, passt and the native helpers, and whether the host merges same pages (KSM). Each line is one check with its result, and what to do when it is not fine.

Exits 1 when something blocks running containers (a "fail" line); warnings alone exit 0. The daemon is not needed.`;
  static override examples = [
    { description: 'Check the host', command: '<%= config.bin %> doctor' },
    { description: 'The checks as JSON lines, for scripts', command: '<%= config.bin %> doctor --format json' },
    { description: 'Only the failed checks', command: "<%= config.bin %> doctor --format '{{if eq .Status \"fail\"}}{{.Name}}: {{.Fix}}{{end}}'" },
  ];
  static override flags = {
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template over Name, Status, Result, Fix)" }),
    'no-color': Flags.boolean({ description: 'Never colour the output' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const checks = await runChecks(new RootLayout(defaultRoot()));
    if (flags.format) {
      process.stdout.write(renderFormat(flags.format, checks.map((c) => ({ Name: c.name, Status: c.status, Result: c.result, Fix: c.fix ?? '' }))).replace(/^\n/gm, ''));
    } else {
      const p = await paint(process.stdout, flags['no-color']);
      const tag: Record<CheckStatus, string> = { ok: p.green('[ ok ]'), warn: p.yellow('[warn]'), fail: p.red('[FAIL]'), info: p.cyan('[info]') };
      const width = Math.max(...checks.map((c) => c.name.length));
      let out = '';
      for (const c of checks) {
        out += `${tag[c.status]} ${c.name.padEnd(width)}  ${c.result}\n`;
        if (c.fix) out += `       ${' '.repeat(width)}  ${p.dim(`fix: ${c.fix}`)}\n`;
      }
      const fails = checks.filter((c) => c.status === 'fail').length;
      const warns = checks.filter((c) => c.status === 'warn').length;
      out += fails ? `\n${p.red(`${fails} problem${fails > 1 ? 's' : ''} block${fails > 1 ? '' : 's'} running containers`)}${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}\n`
        : `\nThis host can run kctl containers${warns ? ` (${warns} warning${warns > 1 ? 's' : ''})` : ''}.\n`;
      process.stdout.write(out);
    }
    if (blocking(checks)) this.exit(1);
  }
}
