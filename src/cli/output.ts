/**
 * Output rules: results on stdout, everything else (progress, warnings, the isolation line) on
 * stderr. Colour only on a terminal, never with NO_COLOR or --no-color.
 */
import { compileTemplate } from './template.js';

export function colorEnabled(stream: NodeJS.WriteStream = process.stderr, noColorFlag = false): boolean {
  if (noColorFlag || process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  return !!stream.isTTY;
}

export async function paint(stream: NodeJS.WriteStream = process.stderr, noColorFlag = false) {
  if (!colorEnabled(stream, noColorFlag)) {
    const id = (s: string) => s;
    return { dim: id, bold: id, red: id, green: id, yellow: id, cyan: id };
  }
  // kctl decided (a terminal, no NO_COLOR, no --no-color): chalk's own guess, which turns colour off
  // whenever CI is set in the environment, does not overrule that.
  const { Chalk, default: auto } = await import('chalk');
  const chalk = new Chalk({ level: Math.max(auto.level, 1) as 1 | 2 | 3 });
  return { dim: chalk.dim, bold: chalk.bold, red: chalk.red, green: chalk.green, yellow: chalk.yellow, cyan: chalk.cyan };
}

/** Docker's table layout: columns padded to their widest cell plus three spaces. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Renders rows through a --format template; with `table`, a header row is made of the field names
 * the template uses (Docker maps them to its column titles; `headers` gives those titles).
 */
export function renderFormat(format: string, items: object[], headers: Record<string, string> = {}): string {
  if (format === 'json') return items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
  const t = compileTemplate(format);
  if (!t.table) return items.map((i) => t.execute(i) + '\n').join('');
  const headerDot = new Proxy({}, { get: (_t, k: string) => headers[k] ?? k.toUpperCase(), has: () => true });
  const rows = [t.execute(headerDot), ...items.map((i) => t.execute(i))].map((r) => r.split('\t'));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Docker's `inspect` of named objects (networks, volumes): each document the daemon returns, as one
 * JSON array or through --format; a name that fails is reported on stderr and the rest still print.
 * Returns how many failed (the command exits 1 if any did).
 */
export async function printInspect(names: string[], fetch: (name: string) => Promise<string>, format?: string): Promise<number> {
  const docs: Record<string, unknown>[] = [];
  let failed = 0;
  for (const name of names) {
    try {
      docs.push(JSON.parse(await fetch(name)));
    } catch (err) {
      failed++;
      process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
    }
  }
  if (format) process.stdout.write(renderFormat(format, docs, {}));
  else process.stdout.write(JSON.stringify(docs, null, 4) + '\n');
  return failed;
}
