/**
 * Statistics for kctl's benchmark: medians and percentiles over repeated measurements, ratios
 * against a baseline, and the formatting the result tables use. Pure functions, unit-tested in
 * test/unit/bench/stats.test.ts.
 */

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p50: number;
  p90: number;
  p99: number;
}

function finiteSorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples');
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`sample ${s} is not a finite number`);
  return [...samples].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0..100) by linear interpolation between closest ranks (the method of
 * numpy's default and of Excel's PERCENTILE.INC): p=50 is the median, p=0 the minimum, p=100 the
 * maximum. With few samples, p99 lies between the two largest.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const s = finiteSorted(samples);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/** The median: the middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function summarize(samples: readonly number[]): Summary {
  const s = finiteSorted(samples);
  return {
    n: s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    median: percentile(s, 50),
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
  };
}

/** value / baseline; undefined when the baseline is missing or zero. */
export function ratio(value: number | undefined, baseline: number | undefined): number | undefined {
  if (value === undefined || baseline === undefined || !Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return value / baseline;
}

/** "1.23x", or "n/a". */
export function fmtRatio(r: number | undefined): string {
  if (r === undefined) return 'n/a';
  return r >= 100 ? `${Math.round(r)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/** Milliseconds with a readable precision: "0.42 ms", "12.3 ms", "845 ms", "3.21 s". */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** KiB as MiB: "41.2 MiB". */
export function fmtKiB(kib: number | undefined): string {
  if (kib === undefined || !Number.isFinite(kib)) return 'n/a';
  return `${(kib / 1024).toFixed(kib >= 100 * 1024 ? 0 : 1)} MiB`;
}

/** Renders rows as an aligned plain-text table (first row is the header). */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Renders rows as a Markdown table (first row is the header); pipes in cells are escaped. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (r: readonly string[]) => `| ${r.map(esc).join(' | ')} |`;
  return [line(rows[0]!), `|${rows[0]!.map(() => '---').join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
