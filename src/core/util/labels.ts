/**
 * Docker's `label` filter term: `key` (the label is set) or `key=value` (set to that value).
 * Own keys only, so a filter such as `label=constructor` matches no object by accident.
 */
export function matchLabel(labels: Record<string, string>, filter: string): boolean {
  const i = filter.indexOf('=');
  return i < 0 ? Object.hasOwn(labels, filter) : Object.hasOwn(labels, filter.slice(0, i)) && labels[filter.slice(0, i)] === filter.slice(i + 1);
}
