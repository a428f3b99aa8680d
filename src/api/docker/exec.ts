/** Exec endpoints: create (on the container), start (hijacked or plain stream), resize, inspect. */
import type { Engine } from '../../core/engine.js';
import { conflict, invalidArgument, toKctlError } from '../../core/errors.js';
import { dockerMessage } from './errors.js';
import { qInt, readJson, sendEmpty, sendJson, StreamConn, type Router } from './http.js';
import { optBool, optString, optStrings } from './spec.js';
import { frame, streamContentType } from './stream.js';

export function execRoutes(r: Router, engine: Engine): void {
  const c = engine.containers;
  // Which streams the client of an exec asked for (Docker's AttachStdout/AttachStderr).
  const attachOf = new Map<string, { stdout: boolean; stderr: boolean }>();

  r.on('POST', '/containers/{id}/exec', async (ctx) => {
    const body = await readJson(ctx);
    const cmd = typeof body.Cmd === 'string' ? [body.Cmd] : optStrings(body, 'Cmd');
    if (!cmd || cmd.length === 0) throw invalidArgument('No exec command specified');
    const ex = c.createExec(ctx.params[0], {
      cmd,
      env: optStrings(body, 'Env') ?? [],
      workingDir: optString(body, 'WorkingDir') || undefined,
      user: optString(body, 'User') || undefined,
      tty: optBool(body, 'Tty'),
      stdin: optBool(body, 'AttachStdin'),
      privileged: optBool(body, 'Privileged'),
    });
    attachOf.set(ex.Id, { stdout: optBool(body, 'AttachStdout'), stderr: optBool(body, 'AttachStderr') });
    // Taken at start; execs created and never started are forgotten oldest first.
    if (attachOf.size > 1024) attachOf.delete(attachOf.keys().next().value!);
    sendJson(ctx, 201, { Id: ex.Id });
  });

  r.on('POST', '/exec/{id}/start', async (ctx) => {
    const body = await readJson(ctx);
    const ex = c.getExec(ctx.params[0]);
    if (ex.Running || ex.ExitCode !== null) throw conflict(`exec ${ex.Id} has already been started`);
    const detach = optBool(body, 'Detach');
    const size = body.ConsoleSize;
    let rows: number | undefined;
    let cols: number | undefined;
    if (Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) [rows, cols] = size as number[];
    const want = attachOf.get(ex.Id) ?? { stdout: true, stderr: true };
    attachOf.delete(ex.Id);

    if (detach) {
      await c.startExec(ex.Id, { onOutput: () => undefined }, { rows, cols });
      return sendEmpty(ctx, 200);
    }
    const conn = new StreamConn(ctx, streamContentType(ex.Tty, ctx.apiVersion));
    const emit = (stream: 'stdout' | 'stderr', data: Buffer) => { if (want[stream]) conn.write(ex.Tty ? data : frame(stream, data)); };
    let proc: Awaited<ReturnType<typeof c.startExec>>;
    try {
      proc = await c.startExec(ex.Id, { onOutput: emit, onExit: () => conn.end() }, { rows, cols });
    } catch (err) {
      // The stream is already open: Docker reports a failed start in it; exec inspect has the code.
      const msg = dockerMessage(toKctlError(err));
      conn.write(ex.Tty ? Buffer.from(`${msg}\r\n`) : frame('stderr', Buffer.from(`${msg}\n`)));
      return conn.end();
    }
    conn.onClose(() => {
      // A client that hangs up on a terminal session hangs the session up, as a closing terminal does.
      if (ex.Tty && !proc.hasExited) proc.signal(1);
    });
    const input = conn.input;
    if (!input) return;
    if (ex.OpenStdin) {
      input.on('data', (d: Buffer) => {
        if (!proc.write(d) && !proc.hasExited) {
          input.pause();
          proc.once('drain', () => input.resume());
        }
      });
      input.on('end', () => proc.closeStdin());
    } else {
      input.on('data', () => undefined);
    }
    input.resume();
  });

  r.on('POST', '/exec/{id}/resize', async (ctx) => {
    const ex = c.getExec(ctx.params[0]);
    const h = qInt(ctx.query, 'h') ?? 0;
    const w = qInt(ctx.query, 'w') ?? 0;
    if (h < 0 || w < 0 || h > 65535 || w > 65535) throw invalidArgument('invalid terminal size');
    if (!ex.Running || !ex.process) throw conflict(`exec ${ex.Id} is not running`);
    ex.process.resize(h, w);
    sendEmpty(ctx, 200);
  });

  r.on('GET', '/exec/{id}/json', async (ctx) => {
    const ex = c.getExec(ctx.params[0]);
    const want = attachOf.get(ex.Id);
    sendJson(ctx, 200, {
      ID: ex.Id, Running: ex.Running, ExitCode: ex.ExitCode, Pid: ex.Pid, ContainerID: ex.ContainerID,
      OpenStdin: ex.OpenStdin, OpenStdout: want?.stdout ?? true, OpenStderr: want?.stderr ?? true,
      CanRemove: false, DetachKeys: '',
      ProcessConfig: { tty: ex.Tty, entrypoint: ex.Args[0], arguments: ex.Args.slice(1), privileged: false, user: ex.User },
    });
  });
}
