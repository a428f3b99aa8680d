import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, summarize, ratio, fmtRatio, fmtMs, fmtKiB, textTable, markdownTable } from '../../bench/stats.js';

test('median of odd and even sample counts, independent of order', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.equal(median([10, 10, 10, 1000]), 10);
});

test('percentiles interpolate between closest ranks', () => {
  const s = Array.from({ length: 101 }, (_, i) => 100 - i); // 0..100, shuffled order (descending)
  assert.equal(percentile(s, 0), 0);
  assert.equal(percentile(s, 50), 50);
  assert.equal(percentile(s, 99), 99);
  assert.equal(percentile(s, 100), 100);
  // 20 samples 1..20: rank for p99 is 0.99*19 = 18.81 -> 19 + 0.81*(20-19)
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(twenty, 99) - 19.81) < 1e-9);
  assert.equal(percentile(twenty, 50), 10.5);
  assert.equal(percentile([3, 1], 25), 1.5);
});

test('percentile rejects empty input, bad p and non-finite samples', () => {
  assert.throws(() => median([]), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
  assert.throws(() => percentile([1, Number.NaN], 50), RangeError);
});

test('summarize reports n, extremes, mean and percentiles without mutating its input', () => {
  const input = [9, 2, 7, 4];
  const s = summarize(input);
  assert.deepEqual(input, [9, 2, 7, 4]);
  assert.equal(s.n, 4);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.mean, 5.5);
  assert.equal(s.median, 5.5);
  assert.equal(s.p50, s.median);
  assert.ok(s.p99 > s.p90 && s.p99 <= s.max);
});

test('ratios and formatting', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(3, 0), undefined);
  assert.equal(ratio(undefined, 2), undefined);
  assert.equal(fmtRatio(1.234), '1.23x');
  assert.equal(fmtRatio(12.34), '12.3x');
  assert.equal(fmtRatio(undefined), 'n/a');
  assert.equal(fmtMs(0.423), '0.42 ms');
  assert.equal(fmtMs(845.2), '845 ms');
  assert.equal(fmtMs(3214), '3.21 s');
  assert.equal(fmtKiB(2048), '2.0 MiB');
});

test('tables align columns and escape Markdown pipes', () => {
  const t = textTable([['a', 'bb'], ['ccc', 'd']]).split('\n');
  assert.equal(t.length, 3);
  assert.equal(t[0]!.indexOf('bb'), t[2]!.indexOf('d'));
  const md = markdownTable([['x', 'y'], ['a|b', 'c']]);
  assert.match(md, /a\\\|b/);
  assert.equal(md.split('\n')[1], '|---|---|');
});
