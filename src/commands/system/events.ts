import { Flags } from '@oclif/core';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { KctlCommand } from '../../cli/base.js';
import { fromGrpcError } from '../../api/grpc/status.js';
import { renderFormat } from '../../cli/output.js';
import { invalidArgument } from '../../core/errors.js';
import { matchLabel } from '../../core/util/labels.js';

interface EventDoc {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

const FILTERS = ['container', 'event', 'image', 'label', 'type'];

/** Docker's --filter semantics: the same key ORs (labels AND), different keys AND. */
export function eventMatches(e: EventDoc, filters: Map<string, string[]>): boolean {
  for (const [key, values] of filters) {
    const a = e.Actor.Attributes;
    // Values of one key OR, except labels, which must all match (as Docker's).
    const ok = key === 'label'
      ? values.every((v) => matchLabel(a, v))
      : values.some((v) => {
        if (key === 'container') return e.Actor.ID.startsWith(v) || a.name === v;
        if (key === 'event') return e.Action === v;
        if (key === 'image') return a.image === v;
        return key === 'type' && e.Type === v;
      });
    if (!ok) return false;
  }
  return true;
}

export function eventLine(e: EventDoc): string {
  // Docker prints nanoseconds; kctld's clock has milliseconds.
  const t = new Date(Math.round(e.timeNano / 1e6)).toISOString().replace(/Z$/, '000000Z');
  const attrs = Object.entries(e.Actor.Attributes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${t} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ''}`;
}

export default class SystemEvents extends KctlCommand {
  static override summary = 'Get real time events from the daemon';
  static override description = 'Container events (create, start, die, destroy, exec_start, ...) as they happen, until interrupted or until --until. kctld keeps no event history: only events from now on are shown.';
  static override usage = 'system events [OPTIONS]';
  static override aliases = ['events'];
  static override examples = [
    { description: 'Follow all events', command: '<%= config.bin %> system events' },
    { description: 'Only when containers die, as JSON lines', command: "<%= config.bin %> events --filter event=die --format '{{json .}}'" },
    { description: 'When web starts or dies', command: '<%= config.bin %> events --filter container=web --filter event=start --filter event=die' },
  ];
  static override flags = {
    filter: Flags.string({ char: 'f', description: `Filter output based on conditions provided (${FILTERS.join(', ')}; key=value)`, multiple: true, multipleNonGreedy: true }),
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
    since: Flags.string({ description: 'Show all events created since timestamp (kctld keeps no history: accepted for compatibility)' }),
    until: Flags.string({ description: 'Stream events until this timestamp (RFC 3339 or unix seconds)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemEvents);
    const filters = new Map<string, string[]>();
    for (const f of flags.filter ?? []) {
      const i = f.indexOf('=');
      const key = i < 0 ? f : f.slice(0, i);
      if (i < 0 || !FILTERS.includes(key)) throw invalidArgument(`invalid filter '${f}'`, { hint: `filters: ${FILTERS.map((k) => `${k}=...`).join(', ')}` });
      filters.set(key, [...(filters.get(key) ?? []), f.slice(i + 1)]);
    }
    let untilMs: number | undefined;
    if (flags.until) {
      const { parseLogTime } = await import('../../core/containers/logs.js');
      untilMs = parseLogTime(flags.until);
    }
    const c = await this.daemon();
    await new Promise<void>((resolve, reject) => {
      const s = c.system.Events({}) as ClientReadableStream<{ json: string }>;
      const done = () => { s.cancel(); resolve(); };
      const timer = untilMs !== undefined ? setTimeout(done, Math.max(0, untilMs - Date.now())) : undefined;
      process.once('SIGINT', done);
      s.on('data', (m: { json: string }) => {
        const e = JSON.parse(m.json) as EventDoc;
        if (!eventMatches(e, filters)) return;
        process.stdout.write(flags.format ? renderFormat(flags.format, [e]) : eventLine(e) + '\n');
      });
      s.on('end', () => { clearTimeout(timer); resolve(); });
      s.on('error', (err) => {
        clearTimeout(timer);
        const e = fromGrpcError(err);
        if (e.kind === 'canceled') resolve();
        else reject(e);
      });
    });
  }
}
