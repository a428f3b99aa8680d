/** Docker's size notation: 512m, 1g, 1024k, 1.5g or plain bytes (RAMInBytes: binary units). */
import { invalidArgument } from '../core/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

export function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw invalidArgument(`invalid size: '${value}'`, { hint: 'use a number with an optional unit: b, k, m, g (e.g. 512m)' });
  return Math.round(parseFloat(m[1]) * unit);
}

export function humanSize(bytes: number): string {
  // Docker's units.HumanSize: decimal units, 3 significant digits.
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}
