import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { renderFormat, renderTable, shortId } from '../cli/output.js';
import type { ListContainersResponse__Output } from '../api/gen/kctl/v1/ListContainersResponse.js';
import type { ContainerSummary__Output } from '../api/gen/kctl/v1/ContainerSummary.js';

/** The fields `--format` sees, named as Docker's `ps` names them. */
export function psRow(s: ContainerSummary__Output, noTrunc: boolean) {
  const command = noTrunc ? s.command : s.command.length > 20 ? s.command.slice(0, 19) + '…' : s.command;
  return {
    ID: noTrunc ? s.id : shortId(s.id),
    Image: s.image,
    Command: JSON.stringify(command),
    CreatedAt: new Date(s.created * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
    RunningFor: s.status,
    Status: s.status,
    State: s.state,
    Names: s.names.map((n) => n.replace(/^\//, '')).join(','),
    Labels: Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(','),
    Ports: (s.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', '),
    Isolation: s.isolation,
  };
}

export default class Ps extends KctlCommand {
  static override summary = 'List containers';
  static override usage = 'ps [OPTIONS]';
  static override aliases = ['container:ls', 'container:list', 'container:ps'];
  static override examples = [
    { description: 'Running containers', command: '<%= config.bin %> ps' },
    { description: 'All containers, ids only', command: '<%= config.bin %> ps --all --quiet' },
    { description: 'Ids of the exited containers', command: '<%= config.bin %> ps --quiet --filter status=exited' },
    { description: 'Names and states with a Go template', command: "<%= config.bin %> ps --all --format '{{.Names}} {{.State}}'" },
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all containers (default shows just running)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only display container IDs' }),
    last: Flags.integer({ char: 'n', description: 'Show n last created containers (includes all states)' }),
    latest: Flags.boolean({ char: 'l', description: 'Show the latest created container (includes all states)' }),
    'no-trunc': Flags.boolean({ description: "Don't truncate output" }),
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
    filter: Flags.string({ char: 'f', description: 'Filter output based on conditions provided (id, name, label, status, ancestor, exited; key=value)', multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const c = await this.daemon();
    const last = flags.latest ? 1 : flags.last ?? 0;
    const { parseFilters, containerMatches, PS_FILTERS } = await import('../cli/filters.js');
    const filters = parseFilters(flags.filter, PS_FILTERS);
    // A status filter looks at every container (Docker): `ps -f status=exited` needs no -a.
    const res = await call<object, ListContainersResponse__Output>(c.containers, 'List', { all: flags.all || filters.has('status') || filters.has('exited'), last });
    if (filters.size) res.containers = res.containers.filter((s) => containerMatches(s, filters));
    const rows = res.containers.map((s) => psRow(s, flags['no-trunc']));
    if (flags.quiet) {
      process.stdout.write(rows.map((r) => r.ID + '\n').join(''));
      return;
    }
    if (flags.format && flags.format !== 'table') {
      process.stdout.write(renderFormat(flags.format, rows, { ID: 'CONTAINER ID', RunningFor: 'CREATED', Names: 'NAMES', CreatedAt: 'CREATED AT' }));
      return;
    }
    const since = (s: ContainerSummary__Output) => {
      const sec = Math.max(0, Date.now() / 1000 - s.created);
      return sec < 60 ? `${Math.round(sec)} seconds ago` : sec < 3600 ? `${Math.round(sec / 60)} minutes ago` : `${Math.round(sec / 3600)} hours ago`;
    };
    process.stdout.write(renderTable(
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', 'ISOLATION'],
      res.containers.map((s, i) => [rows[i].ID, s.image, rows[i].Command, since(s), s.status, rows[i].Ports, rows[i].Names, s.isolation]),
    ));
  }
}
