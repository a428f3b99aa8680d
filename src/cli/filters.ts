/**
 * Docker's --filter for ps and images, applied to the daemon's list on the client: the same key
 * given twice ORs (label: AND), different keys AND. Unknown keys are an error, as in Docker.
 */
import { invalidArgument } from '../core/errors.js';
import { matchLabel } from '../core/util/labels.js';

export type Filters = Map<string, string[]>;

export function parseFilters(list: string[] = [], allowed: string[]): Filters {
  const out: Filters = new Map();
  for (const f of list) {
    const i = f.indexOf('=');
    const key = (i < 0 ? f : f.slice(0, i)).trim().toLowerCase();
    if (i < 0 || !allowed.includes(key)) {
      throw invalidArgument(`invalid filter '${f}'`, { hint: `use key=value with one of: ${allowed.join(', ')}` });
    }
    out.set(key, [...(out.get(key) ?? []), f.slice(i + 1)]);
  }
  return out;
}

/** Docker's reference filter: a glob over name[:tag] where `*` does not cross '/'. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return re.test(value);
}


export interface ContainerFacts {
  id: string;
  names: string[];
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
}

export const PS_FILTERS = ['id', 'name', 'label', 'status', 'ancestor', 'exited'];

export function containerMatches(c: ContainerFacts, f: Filters): boolean {
  const all = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  const exit = /^Exited \((\d+)\)/.exec(c.status)?.[1];
  const img = c.image.replace(/^docker\.io\/(library\/)?/, '');
  return all('id', (v) => c.id.startsWith(v))
    && all('name', (v) => c.names.some((n) => n.replace(/^\//, '').includes(v)))
    && (f.get('label') ?? []).every((v) => matchLabel(c.labels, v)) // labels AND, as Docker's
    && all('status', (v) => c.state === v)
    && all('ancestor', (v) => ancestorMatches(img, v.replace(/^docker\.io\/(library\/)?/, '')))
    && all('exited', (v) => exit !== undefined && exit === String(Number(v)));
}

/** `ancestor=busybox` matches every tag of busybox; `ancestor=busybox:1` only that tag (latest when none). */
function ancestorMatches(image: string, want: string): boolean {
  const tagOf = (r: string) => /:([^:/]+)$/.exec(r)?.[1];
  const repoOf = (r: string) => r.replace(/:[^:/]+$/, '');
  if (repoOf(image) !== repoOf(want)) return false;
  return tagOf(want) === undefined || (tagOf(image) ?? 'latest') === tagOf(want);
}

export const IMAGE_FILTERS = ['dangling', 'reference', 'label'];

export function imageMatches(i: { repoTags: string[]; labels?: Record<string, string> }, tag: string | undefined, f: Filters): boolean {
  const all = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  return all('dangling', (v) => (v === 'true' || v === '1') === (i.repoTags.length === 0))
    && all('reference', (v) => tag !== undefined && (globMatch(v, tag) || globMatch(v, tag.replace(/:[^:/]*$/, ''))))
    && (f.get('label') ?? []).every((v) => matchLabel(i.labels ?? {}, v));
}
