/**
 * The subset of Go's text/template that Docker users write in --format: field paths
 * (`{{.ID}}`, `{{.State.Status}}`), functions (`json`, `lower`, `upper`, `title`, `join`, `index`,
 * `len`, `println`, `truncate`), pipelines (`{{.Names | lower}}`), `{{range .X}}...{{end}}`,
 * `{{if .X}}...{{else}}...{{end}}`, and the `table` directive handled by the caller.
 */
import { invalidArgument } from '../core/errors.js';

type Node =
  | { t: 'text'; v: string }
  | { t: 'expr'; v: string }
  | { t: 'range'; expr: string; body: Node[] }
  | { t: 'if'; expr: string; then: Node[]; else: Node[] };

function tokenize(src: string): Array<{ text?: string; action?: string }> {
  const out: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { out.push({ text: src.slice(i) }); break; }
    if (open > i) out.push({ text: src.slice(i, open) });
    const close = src.indexOf('}}', open);
    if (close < 0) throw invalidArgument(`template parsing error: unclosed action in ${JSON.stringify(src)}`);
    out.push({ action: src.slice(open + 2, close).replace(/^-\s*/, '').replace(/\s*-$/, '').trim() });
    i = close + 2;
  }
  return out;
}

function parse(tokens: ReturnType<typeof tokenize>, pos = { i: 0 }, stopAt: string[] = []): { nodes: Node[]; stop?: string } {
  const nodes: Node[] = [];
  while (pos.i < tokens.length) {
    const tok = tokens[pos.i++];
    if (tok.text !== undefined) { nodes.push({ t: 'text', v: tok.text }); continue; }
    const a = tok.action!;
    const word = a.split(/\s+/)[0];
    if (stopAt.includes(word)) return { nodes, stop: word };
    if (word === 'range') {
      const body = parse(tokens, pos, ['end']);
      if (body.stop !== 'end') throw invalidArgument('template parsing error: range without end');
      nodes.push({ t: 'range', expr: a.slice(5).trim(), body: body.nodes });
    } else if (word === 'if') {
      const then = parse(tokens, pos, ['else', 'end']);
      let els: Node[] = [];
      if (then.stop === 'else') {
        const e = parse(tokens, pos, ['end']);
        if (e.stop !== 'end') throw invalidArgument('template parsing error: if without end');
        els = e.nodes;
      } else if (then.stop !== 'end') throw invalidArgument('template parsing error: if without end');
      nodes.push({ t: 'if', expr: a.slice(2).trim(), then: then.nodes, else: els });
    } else if (word === 'end' || word === 'else') {
      throw invalidArgument(`template parsing error: unexpected {{${word}}}`);
    } else {
      nodes.push({ t: 'expr', v: a });
    }
  }
  return { nodes };
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] !== undefined ? JSON.stringify(JSON.parse(`"${m[1]}"`)) : m[2] !== undefined ? JSON.stringify(m[2]) : m[3]);
  return out;
}

function lookup(dot: unknown, path: string): unknown {
  if (path === '.') return dot;
  let v: unknown = dot;
  for (const part of path.split('.').slice(1)) {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'object') throw invalidArgument(`template: can't evaluate field ${part} in type ${typeof v}`);
    const obj = v as Record<string, unknown>;
    if (!(part in obj)) {
      throw invalidArgument(`template: can't evaluate field ${part}`);
    }
    v = obj[part];
  }
  return v;
}

function value(arg: string, dot: unknown): unknown {
  if (arg.startsWith('"')) return JSON.parse(arg);
  if (/^-?\d+$/.test(arg)) return Number(arg);
  if (arg.startsWith('.')) return lookup(dot, arg);
  throw invalidArgument(`template: unknown argument ${arg}`);
}

export function toText(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(toText).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.entries(v as object).map(([k, x]) => `${k}:${toText(x)}`).join(' ')}]`;
  return String(v);
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  json: (v) => JSON.stringify(v),
  lower: (v) => String(v).toLowerCase(),
  upper: (v) => String(v).toUpperCase(),
  title: (v) => String(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (v, sep) => (Array.isArray(v) ? v.map(toText).join(String(sep)) : toText(v)),
  split: (v, sep) => String(v).split(String(sep)),
  index: (v, k) => (v as Record<string, unknown>)?.[String(k)] ?? (Array.isArray(v) ? v[Number(k)] : undefined),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : Object.keys(v as object ?? {}).length),
  println: (...a) => a.map(toText).join(' ') + '\n',
  print: (...a) => a.map(toText).join(''),
  truncate: (v, n) => String(v).slice(0, Number(n)),
  pad: (v, l, r) => ' '.repeat(Number(l)) + toText(v) + ' '.repeat(Number(r)),
  printf: (f, ...a) => sprintf(String(f), a),
  eq: (a, ...b) => b.some((x) => x === a || String(x) === String(a)),
  ne: (a, b) => String(a) !== String(b),
  not: (v) => !truthy(v),
  and: (...a) => a.find((v) => !truthy(v)) ?? a[a.length - 1],
  or: (...a) => a.find((v) => truthy(v)) ?? a[a.length - 1],
};

/** Go's fmt verbs that templates use: %s %v %d %q %f %x %%, with width, precision and `-`. */
export function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-0 +#]*)(\d*)(?:\.(\d+))?([svdqfxX%])/g, (_m, fl: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const v = args[i++];
    let s: string;
    switch (verb) {
      case 'd': s = String(Math.trunc(Number(v))); break;
      case 'f': s = Number(v).toFixed(prec === undefined ? 6 : Number(prec)); break;
      case 'q': s = JSON.stringify(toText(v)); break;
      case 'x': s = typeof v === 'number' ? v.toString(16) : Buffer.from(toText(v)).toString('hex'); break;
      case 'X': s = (typeof v === 'number' ? v.toString(16) : Buffer.from(toText(v)).toString('hex')).toUpperCase(); break;
      default: s = toText(v); if (prec !== undefined) s = s.slice(0, Number(prec));
    }
    const w = Number(width || 0);
    if (s.length < w) s = fl.includes('-') ? s.padEnd(w) : s.padStart(w, fl.includes('0') && verb !== 's' ? '0' : ' ');
    return s;
  });
}

/** Splits `a | b "x|y"` at the pipes outside quotes. */
function splitPipeline(expr: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (quote) {
      cur += ch;
      if (ch === '\\' && quote === '"') cur += expr[++i] ?? '';
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === '`') { quote = ch; cur += ch; }
    else if (ch === '|') { out.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function evalPipeline(expr: string, dot: unknown): unknown {
  let acc: unknown;
  let first = true;
  for (const stage of splitPipeline(expr)) {
    const [head, ...rest] = splitArgs(stage);
    const args = rest.map((a) => value(a, dot));
    if (!first) args.push(acc);
    if (head in FUNCS) {
      if (!first) acc = FUNCS[head](...[acc, ...args.slice(0, -1)]);
      else acc = FUNCS[head](...args);
    } else if (first && rest.length === 0) {
      acc = value(head, dot);
    } else {
      throw invalidArgument(`template: function "${head}" not defined`);
    }
    first = false;
  }
  return acc;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

function render(nodes: Node[], dot: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.v;
    else if (n.t === 'expr') out += toText(evalPipeline(n.v, dot));
    else if (n.t === 'if') out += render(truthy(evalPipeline(n.expr, dot)) ? n.then : n.else, dot);
    else {
      const v = evalPipeline(n.expr, dot);
      const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
      for (const item of items) out += render(n.body, item);
    }
  }
  return out;
}

export interface Template {
  /** `table` directive: the caller prints a header row from the field names. */
  table: boolean;
  source: string;
  execute(dot: unknown): string;
}

export function compileTemplate(src: string): Template {
  let table = false;
  let body = src.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  if (/^table\b/.test(body)) { table = true; body = body.replace(/^table\s*/, ''); }
  const nodes = parse(tokenize(body)).nodes;
  return { table, source: body, execute: (dot) => render(nodes, dot) };
}
