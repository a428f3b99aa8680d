import { Args, Flags } from '@oclif/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlCommand } from '../cli/base.js';
import { call, type Clients } from '../cli/client.js';
import { renderFormat, renderTable, shortId } from '../cli/output.js';
import { cpuPercent, type ContainerStatsSample } from '../core/containers/stats.js';
import { isKctlError } from '../core/errors.js';

/** Binary units, as Docker prints memory (MiB, GiB). */
function binSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${bytes < 0 ? '-' : ''}${v.toFixed(i ? 2 : 0)}${units[i]}`;
}

/** The fields `--format` sees: Docker's names, plus HostPSS and Overhead. */
export interface StatsRow {
  Container: string; ID: string; Name: string; CPUPerc: string; MemUsage: string; MemPerc: string;
  HostPSS: string; Overhead: string; PIDs: string; NetIO: string; BlockIO: string;
}

const HEADERS: Record<string, string> = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
  HostPSS: 'HOST PSS (VM)', Overhead: 'OVERHEAD', PIDs: 'PIDS', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O',
};

export function statsRow(ref: string, prev: ContainerStatsSample | undefined, s: ContainerStatsSample): StatsRow {
  return {
    Container: ref, ID: shortId(s.id), Name: s.name,
    CPUPerc: `${cpuPercent(prev, s).toFixed(2)}%`,
    MemUsage: `${binSize(s.memory.usage)} / ${binSize(s.memory.limit)}`,
    MemPerc: `${(s.memory.limit ? (s.memory.usage / s.memory.limit) * 100 : 0).toFixed(2)}%`,
    HostPSS: binSize(s.host.pss), Overhead: binSize(s.overhead), PIDs: String(s.pids),
    NetIO: '--', BlockIO: '--',
  };
}

export default class Stats extends KctlCommand {
  static override summary = 'Display a live stream of container(s) resource usage statistics';
  static override description = 'CPU % and memory are the guest\'s, measured inside the container\'s VM. HOST PSS is what the VM (QEMU, virtiofsd, network helper) takes on the host; OVERHEAD is HOST PSS minus the guest\'s memory in use.';
  static override usage = 'stats [OPTIONS] [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:stats'];
  static override args = { container: Args.string({ required: false, description: 'Container name or id (default: all running)' }) };
  static override examples = [
    { description: 'One sample of every running container', command: '<%= config.bin %> stats --no-stream' },
    { description: 'Memory only, with a Go template', command: "<%= config.bin %> stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.HostPSS}}'" },
  ];
  static override flags = {
    'no-stream': Flags.boolean({ description: 'Disable streaming stats and only pull the first result' }),
    format: Flags.string({ description: "Format output using a custom template ('table', 'json', or a Go template)" }),
    all: Flags.boolean({ char: 'a', description: 'Show all containers (default shows just running)' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate output' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Stats);
    const c = await this.daemon();
    const refs = argv as string[];
    const prev = new Map<string, ContainerStatsSample>();
    const sampleAll = async (): Promise<{ ref: string; s: ContainerStatsSample }[]> => {
      const ids = refs.length ? refs : await this.running(c);
      const out: { ref: string; s: ContainerStatsSample }[] = [];
      for (const ref of ids) {
        try {
          out.push({ ref, s: JSON.parse((await call<object, { json: string }>(c.containers, 'Stats', { id: ref }, 15_000)).json) as ContainerStatsSample });
        } catch (err) {
          if (refs.length) throw err; // a named container must be there; an unnamed one may have just stopped
          if (!isKctlError(err, 'conflict') && !isKctlError(err, 'not_found')) throw err;
        }
      }
      return out;
    };
    const render = (samples: { ref: string; s: ContainerStatsSample }[]): string => {
      const rows = samples.map(({ ref, s }) => statsRow(ref, prev.get(s.id), s));
      for (const { s } of samples) prev.set(s.id, s);
      if (flags.format && flags.format !== 'table') return renderFormat(flags.format, rows, HEADERS);
      return renderTable(
        ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'HOST PSS (VM)', 'OVERHEAD', 'PIDS'],
        rows.map((r) => [flags['no-trunc'] ? samples.find((x) => shortId(x.s.id) === r.ID)!.s.id : r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.HostPSS, r.Overhead, r.PIDs]),
      );
    };
    // CPU % needs two samples, one second apart (as Docker's first figures do).
    for (const { s } of await sampleAll()) prev.set(s.id, s);
    await sleep(1000);
    if (flags['no-stream']) {
      process.stdout.write(render(await sampleAll()));
      return;
    }
    const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
    for (;;) {
      process.stdout.write(clear + render(await sampleAll()));
      await sleep(1000);
    }
  }

  private async running(c: Clients): Promise<string[]> {
    const res = await call<object, { containers: { id: string; state: string }[] }>(c.containers, 'List', { all: false });
    return res.containers.filter((x) => x.state === 'running').map((x) => x.id);
  }
}
