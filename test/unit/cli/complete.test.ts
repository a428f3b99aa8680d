import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, nameKind, Directive, type CompletionCommand, type Names } from '../../../src/cli/complete.js';
import { closestCommands } from '../../../src/cli/suggest.js';

const cmd = (id: string, o: Partial<CompletionCommand> = {}): CompletionCommand => ({ id, aliases: [], args: 1, flags: [], summary: `${id} summary`, ...o });
const runFlags = [
  { name: 'rm', type: 'boolean' as const, description: 'Remove afterwards' },
  { name: 'env', char: 'e', type: 'option' as const },
  { name: 'env-file', type: 'option' as const },
  { name: 'pull', type: 'option' as const, options: ['always', 'missing', 'never'] },
  { name: 'secret', type: 'boolean' as const, hidden: true },
];
const commands = [
  cmd('run', { strict: false, flags: runFlags, aliases: ['container:run'] }),
  cmd('exec', { strict: false, flags: runFlags }),
  cmd('stop', { strict: false, aliases: ['container:stop'] }),
  cmd('start', { strict: false, aliases: ['container:start'] }),
  cmd('logs', { aliases: ['container:logs'] }),
  cmd('rmi', { strict: false, aliases: ['image:rm'] }),
  cmd('ps', { args: 0, aliases: ['container:ls'] }),
  cmd('container:prune', { args: 0 }),
  cmd('__complete', { hidden: true }),
];

const calls: string[] = [];
const names: Names = {
  async containers(state) {
    calls.push(`containers:${state}`);
    const all = [{ name: 'web', description: 'up' }, { name: 'db', description: 'up' }, { name: 'old', description: 'exited' }];
    return state === 'running' ? all.slice(0, 2) : state === 'stopped' ? all.slice(2) : all;
  },
  async images() {
    calls.push('images');
    return [{ name: 'busybox:latest', description: 'abc' }, { name: 'nginx:1', description: 'def' }];
  },
};
const words = (r: { candidates: string[] }) => r.candidates.map((c) => c.split('\t')[0]);

test('top level: commands and topics, hidden ones left out, never files', async () => {
  const r = await complete([], '', commands, names);
  assert.equal(r.directive, Directive.NoFileComp);
  assert.deepEqual(words(r), ['container', 'exec', 'image', 'logs', 'ps', 'rmi', 'run', 'start', 'stop']);
  assert.deepEqual(words(await complete([], 'st', commands, names)), ['start', 'stop']);
});

test('a topic completes its commands and aliases', async () => {
  assert.deepEqual(words(await complete(['container'], '', commands, names)), ['logs', 'ls', 'prune', 'run', 'start', 'stop']);
});

test('flags, flag values and file arguments', async () => {
  assert.deepEqual(words(await complete(['run'], '--e', commands, names)), ['--env', '--env-file']);
  assert.ok(!words(await complete(['run'], '--', commands, names)).includes('--secret'));
  assert.deepEqual(words(await complete(['run', '--pull'], '', commands, names)), ['always', 'missing', 'never']);
  assert.equal((await complete(['run', '--env-file'], '', commands, names)).directive, Directive.Default);
  const envValue = await complete(['run', '-e'], '', commands, names);
  assert.deepEqual(envValue, { candidates: [], directive: Directive.NoFileComp });
});

test('names by state: running for stop/logs, stopped for start, images for run/rmi', async () => {
  assert.deepEqual(words(await complete(['stop'], '', commands, names)), ['web', 'db']);
  assert.deepEqual(words(await complete(['container', 'stop'], 'w', commands, names)), ['web']);
  assert.deepEqual(words(await complete(['start'], '', commands, names)), ['old']);
  assert.deepEqual(words(await complete(['run', '--rm'], '', commands, names)), ['busybox:latest', 'nginx:1']);
  assert.deepEqual(words(await complete(['image', 'rm'], 'ng', commands, names)), ['nginx:1']);
  // Already named containers are not offered again; logs takes one container only.
  assert.deepEqual(words(await complete(['stop', 'web'], '', commands, names)), ['db']);
  assert.deepEqual(words(await complete(['logs', 'web'], '', commands, names)), []);
});

test('after the image (run) or the container (exec) the words belong to the container', async () => {
  calls.length = 0;
  const r = await complete(['run', 'busybox:latest'], '', commands, names);
  assert.deepEqual(r, { candidates: [], directive: Directive.Default });
  assert.deepEqual(await complete(['exec', 'web', 'ls'], '--', commands, names), { candidates: [], directive: Directive.Default });
  assert.deepEqual(calls, []);
});

test('without a daemon, names complete to nothing (and never files)', async () => {
  assert.deepEqual(await complete(['stop'], '', commands, undefined), { candidates: [], directive: Directive.NoFileComp });
  const failing: Names = { containers: async () => { throw new Error('down'); }, images: async () => { throw new Error('down'); } };
  assert.deepEqual(await complete(['stop'], '', commands, failing), { candidates: [], directive: Directive.NoFileComp });
});

test('nameKind follows Docker', () => {
  assert.equal(nameKind('logs'), 'running');
  assert.equal(nameKind('container:rm'), 'stopped');
  assert.equal(nameKind('image:inspect'), 'images');
  assert.equal(nameKind('inspect'), 'containers+images');
  assert.equal(nameKind('ps'), 'none');
});

test('"Did you mean this?" picks the closest commands at the typed depth', () => {
  const ids = ['images', 'image:ls', 'image:prune', 'ps', 'pull', 'container:ls', 'container:logs'];
  assert.deepEqual(closestCommands('imagse', ids), ['image', 'images']);
  assert.deepEqual(closestCommands('container:lss', ids), ['container:ls', 'container:logs']);
  assert.deepEqual(closestCommands('zzzzzz', ids), []);
});

test('events: Docker filter semantics and the default line', async () => {
  const { eventMatches, eventLine } = await import('../../../src/commands/system/events.js');
  const e = { Type: 'container', Action: 'die', Actor: { ID: 'abc123', Attributes: { name: 'web', image: 'busybox', exitCode: '3', tier: 'front' } }, time: 1764340409, timeNano: 1764340409075e6 };
  const f = (...kv: string[]) => { const m = new Map<string, string[]>(); for (const x of kv) { const [k, ...v] = x.split('='); m.set(k, [...(m.get(k) ?? []), v.join('=')]); } return m; };
  assert.equal(eventMatches(e, f()), true);
  assert.equal(eventMatches(e, f('event=start', 'event=die')), true, 'the same key ORs');
  assert.equal(eventMatches(e, f('event=die', 'container=db')), false, 'different keys AND');
  assert.equal(eventMatches(e, f('container=abc')), true, 'id prefix');
  assert.equal(eventMatches(e, f('label=tier=front', 'image=busybox')), true);
  assert.equal(eventMatches(e, f('label=tier=back')), false);
  assert.equal(eventMatches(e, f('label=tier=front', 'label=name=web')), true, 'labels AND: both match');
  assert.equal(eventMatches(e, f('label=tier=front', 'label=tier=back')), false, 'labels AND, not OR');
  assert.equal(eventMatches(e, f('label=constructor')), false, 'only the event\'s own attributes');
  assert.equal(eventLine(e), '2025-11-28T14:33:29.075000000Z container die abc123 (exitCode=3, image=busybox, name=web, tier=front)');
});

test('volume commands complete volume names when the daemon has a Volumes service', async () => {
  const withVolumes: Names = { ...names, volumes: async () => [{ name: 'data', description: 'local' }, { name: 'cache', description: 'local' }] };
  const vcmds = [...commands, cmd('volume:rm', { strict: false }), cmd('volume:ls', { args: 0 })];
  assert.deepEqual(words(await complete(['volume', 'rm'], 'd', vcmds, withVolumes)), ['data']);
  assert.deepEqual(words(await complete(['volume', 'ls'], '', vcmds, withVolumes)), []);
  assert.deepEqual(words(await complete(['volume', 'rm'], '', vcmds, names)), [], 'no Volumes service: nothing');
});

test('network names: network rm/inspect/connect take a network, connect then a container, and run --network a network', async () => {
  const withNetworks: Names = { ...names, networks: async () => [{ name: 'app', description: 'bridge' }, { name: 'bridge', description: 'bridge' }] };
  const ncmds = [
    ...commands.map((c) => (c.id === 'run' ? { ...c, flags: [...c.flags, { name: 'network', type: 'option' as const }] } : c)),
    cmd('network:rm', { strict: false }), cmd('network:connect', { args: 2 }), cmd('network:ls', { args: 0 }),
  ];
  assert.deepEqual(words(await complete(['network', 'rm'], 'a', ncmds, withNetworks)), ['app']);
  assert.deepEqual(words(await complete(['network', 'rm', 'app'], '', ncmds, withNetworks)), ['bridge'], 'a name already given is not offered again');
  assert.deepEqual(words(await complete(['network', 'connect'], '', ncmds, withNetworks)), ['app', 'bridge']);
  assert.deepEqual(words(await complete(['network', 'connect', 'app'], '', ncmds, withNetworks)), ['web', 'db', 'old']);
  assert.deepEqual(words(await complete(['network', 'connect', 'app', 'web'], '', ncmds, withNetworks)), []);
  assert.deepEqual(words(await complete(['network', 'ls'], '', ncmds, withNetworks)), []);
  assert.deepEqual(words(await complete(['run', '--network'], 'a', ncmds, withNetworks)), ['app']);
  assert.deepEqual(words(await complete(['run', '--network'], '', ncmds, names)), [], 'no Networks service: nothing');
});
