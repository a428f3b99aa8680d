/** The daemon's logger: one JSON line per event to stderr (kctld.log), with ids attached. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, f?: LogFields): void;
  info(msg: string, f?: LogFields): void;
  warn(msg: string, f?: LogFields): void;
  error(msg: string, f?: LogFields): void;
  with(f: LogFields): Logger;
}

export function createLogger(base: LogFields = {}, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const debugOn = !!process.env.KCTL_DEBUG;
  const emit = (level: string, msg: string, f?: LogFields) => {
    if (level === 'debug' && !debugOn) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...f }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (f) => createLogger({ ...base, ...f }, sink),
  };
}

/** A logger that drops everything (unit tests). */
export const nullLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  with() { return nullLogger; },
};
