import { KctlCommand } from '../cli/base.js';
import { complete, type CompletionCommand, type Names } from '../cli/complete.js';

/** Cobra's completion protocol for the shell scripts of `kctl completion`: never starts the daemon. */
export default class Complete extends KctlCommand {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Complete a command line (used by the shell completion scripts)';
  static override usage = '__complete [ARG...] CURRENT';
  static override examples = [{ description: 'What `kctl stop <TAB>` offers', command: '<%= config.bin %> __complete stop ""' }];

  async run(): Promise<void> {
    const argv = this.argv[0] === '--' ? this.argv.slice(1) : this.argv;
    const current = argv.length ? argv[argv.length - 1] : '';
    const words = argv.slice(0, -1);
    const commands: CompletionCommand[] = this.config.commands.map((c) => ({
      id: c.id, aliases: c.aliases ?? [], summary: (c.summary ?? c.description)?.replaceAll('<%= config.bin %>', this.config.bin), hidden: c.hidden, strict: c.strict,
      args: Object.keys(c.args ?? {}).length,
      flags: Object.values(c.flags ?? {}).map((f) => ({
        name: f.name, char: f.char, type: f.type, description: f.summary ?? f.description, hidden: f.hidden,
        options: f.type === 'option' ? f.options : undefined,
      })),
    }));
    const res = await complete(words, current, commands, await this.names());
    process.stdout.write(res.candidates.map((c) => c + '\n').join('') + `:${res.directive}\n`);
    this.clientsClose?.();
  }

  private clientsClose?: () => void;

  /** Names from a daemon that already runs; undefined (complete nothing) when none does. */
  private async names(): Promise<Names | undefined> {
    const fs = await import('node:fs');
    const { defaultRoot, RootLayout } = await import('../core/paths.js');
    if (!fs.existsSync(new RootLayout(defaultRoot()).grpcSocket)) return undefined;
    const { connect, call } = await import('../cli/client.js');
    let c: Awaited<ReturnType<typeof connect>> | undefined;
    const clients = async () => {
      if (!c) {
        c = await connect({ autoStart: false });
        this.clientsClose = () => c!.close();
      }
      return c;
    };
    type Summary = { id: string; names: string[]; image: string; state: string; status: string };
    return {
      containers: async (state) => {
        const cl = await clients();
        const res = await call<object, { containers: Summary[] }>(cl.containers, 'List', { all: true, last: 0 }, 1500);
        return res.containers
          .filter((s) => state === 'all' || (state === 'running' ? s.state === 'running' : s.state !== 'running' && s.state !== 'paused' && s.state !== 'restarting'))
          .map((s) => ({ name: (s.names[0] ?? s.id.slice(0, 12)).replace(/^\//, ''), description: `${s.image}, ${s.status}` }));
      },
      images: async () => {
        const cl = await clients();
        const res = await call<object, { images: Array<{ id: string; repoTags: string[] }> }>(cl.images, 'List', { all: false }, 1500);
        return res.images.flatMap((i) => i.repoTags.map((t) => ({ name: t, description: i.id.replace(/^sha256:/, '').slice(0, 12) })));
      },
      volumes: async () => {
        const cl = (await clients()) as unknown as { volumes?: object };
        if (!cl.volumes) return [];
        const res = await call<object, { json: string }>(cl.volumes, 'List', {}, 1500);
        const doc = JSON.parse(res.json) as { Volumes?: Array<{ Name: string; Driver?: string }> };
        return (doc.Volumes ?? []).map((v) => ({ name: v.Name, description: v.Driver ?? 'local' }));
      },
      networks: async () => {
        const cl = await clients();
        const res = await call<object, { json: string }>(cl.networks, 'List', { filters: [] }, 1500);
        return (JSON.parse(res.json) as Array<{ Name: string; Driver: string }>).map((n) => ({ name: n.Name, description: n.Driver }));
      },
    };
  }
}
