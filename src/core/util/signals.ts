/** Signal names and numbers as Docker accepts them (`kill -s TERM`, `SIGTERM`, `15`). Linux x86_64 numbering. */
import { invalidArgument } from '../errors.js';

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

export function parseSignal(value: string | number | undefined, fallback = 9): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 64) return n;
    throw invalidArgument(`Invalid signal: ${value}`);
  }
  const name = value.toUpperCase().replace(/^SIG/, '');
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name);
  if (rt) return 34 + Number(rt[1] ?? 0);
  const n = SIGNALS[name];
  if (n === undefined) throw invalidArgument(`Invalid signal: ${value}`);
  return n;
}
