import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { ClientReadableStream, ClientWritableStream } from '@grpc/grpc-js';
import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call, type Clients } from '../cli/client.js';
import { fromGrpcError } from '../api/grpc/status.js';
import { invalidArgument, isKctlError, notFound } from '../core/errors.js';
import { isDirMode, type PathStat } from '../core/containers/cp.js';
import { baseOf, containerAbs, endsWithDot, endsWithSep, packHostPath, parentOf, planCopy, splitCpArg, unpackToHost } from '../cli/cp.js';

export default class Cp extends KctlCommand {
  static override summary = 'Copy files/folders between a container and the local filesystem';
  static override description = [
    'Use \'-\' as the source to read a tar archive from stdin and extract it to a directory destination in a container.',
    'Use \'-\' as the destination to stream a tar archive of a container source to stdout.',
    'Works for running and stopped containers; paths in the container resolve inside its root filesystem.',
  ].join('\n');
  static override usage = ['cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-', 'cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH'];
  static override aliases = ['container:cp'];
  static override args = {
    src: Args.string({ required: true, description: 'CONTAINER:SRC_PATH, SRC_PATH or -' }),
    dest: Args.string({ required: true, description: 'DEST_PATH, CONTAINER:DEST_PATH or -' }),
  };
  static override examples = [
    { description: 'Copy a file out of a container', command: '<%= config.bin %> cp web:/etc/nginx/nginx.conf .' },
    { description: 'Copy a directory\'s contents into a container', command: '<%= config.bin %> cp ./site/. web:/usr/share/nginx/html' },
    { description: 'Stream a tar archive out', command: '<%= config.bin %> cp web:/var/log - > logs.tar' },
  ];
  static override flags = {
    archive: Flags.boolean({ char: 'a', description: 'Archive mode (copy all uid/gid information)' }),
    'follow-link': Flags.boolean({ char: 'L', description: 'Always follow symbol link in SRC_PATH' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress progress output during copy (kctl prints none)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Cp);
    const src = splitCpArg(args.src);
    const dest = splitCpArg(args.dest);
    if (src.container && dest.container) throw invalidArgument('copying between containers is not supported');
    if (!src.container && !dest.container) throw invalidArgument('must specify at least one container source', { hint: 'name the container as CONTAINER:PATH' });
    const c = await this.daemon();
    if (src.container) await this.copyOut(c, src.container, containerAbs(src.path), dest.path, flags);
    else await this.copyIn(c, src.path, dest.container!, containerAbs(dest.path), flags);
  }

  private async statIn(c: Clients, id: string, p: string, follow: boolean): Promise<PathStat | undefined> {
    try {
      return JSON.parse((await call<object, { json: string }>(c.containers, 'StatPath', { id, path: p, followLink: follow })).json) as PathStat;
    } catch (err) {
      if (isKctlError(err, 'not_found') && !/No such container/.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  private async copyOut(c: Clients, id: string, srcPath: string, destPath: string, flags: { archive: boolean; 'follow-link': boolean }): Promise<void> {
    const follow = flags['follow-link'] || endsWithSep(srcPath);
    const st = await this.statIn(c, id, srcPath, follow);
    if (!st) throw notFound(`Could not find the file ${srcPath} in container ${id}`);
    const stream = c.containers.CopyFrom({ id, path: srcPath, followLink: follow }) as ClientReadableStream<{ data: Buffer }>;
    const input = new PassThrough({ highWaterMark: 1024 * 1024 });
    stream.on('data', (m: { data: Buffer }) => { if (!input.write(m.data)) { stream.pause(); input.once('drain', () => stream.resume()); } });
    stream.on('end', () => input.end());
    stream.on('error', (err) => input.destroy(fromGrpcError(err)));
    if (destPath === '-') {
      await new Promise<void>((resolve, reject) => {
        input.on('error', reject);
        input.pipe(process.stdout as unknown as Writable, { end: false });
        input.on('end', () => resolve());
      });
      return;
    }
    const destSt = await fsp.stat(destPath).catch(() => undefined);
    const parentSt = await fsp.stat(parentOf(path.resolve(destPath))).catch(() => undefined);
    const plan = planCopy(
      { path: srcPath, isDir: isDirMode(st.mode) },
      { path: destPath, exists: !!destSt, isDir: destSt?.isDirectory(), parentIsDir: !!parentSt?.isDirectory() },
    );
    try {
      await unpackToHost(input, plan, { keepOwners: flags.archive, topless: baseOf(srcPath) === '/' || endsWithDot(srcPath) });
    } catch (err) {
      stream.cancel();
      throw err;
    }
  }

  private async copyIn(c: Clients, srcPath: string, id: string, destPath: string, flags: { archive: boolean; 'follow-link': boolean }): Promise<void> {
    let dir: string;
    let name = '.';
    if (srcPath === '-') {
      const st = await this.statIn(c, id, destPath, true);
      if (!st) throw notFound(`Could not find the file ${destPath} in container ${id}`);
      if (!isDirMode(st.mode)) throw invalidArgument(`destination "${id}:${destPath}" must be a directory`);
      dir = destPath;
    } else {
      const hostSt = await (flags['follow-link'] ? fsp.stat(srcPath) : fsp.lstat(srcPath)).catch(() => undefined);
      if (!hostSt) throw notFound(`no such file or directory: ${srcPath}`);
      const destSt = await this.statIn(c, id, destPath, true);
      const parentSt = destSt ? undefined : await this.statIn(c, id, parentOf(destPath), true);
      const plan = planCopy(
        { path: srcPath, isDir: hostSt.isDirectory() },
        { path: destPath, exists: !!destSt, isDir: destSt ? isDirMode(destSt.mode) : undefined, parentIsDir: !!parentSt && isDirMode(parentSt.mode) },
      );
      dir = plan.dir;
      name = plan.name;
    }
    await new Promise<void>((resolve, reject) => {
      const upload = c.containers.CopyTo((err: Error | null) => (err ? reject(fromGrpcError(err as never)) : resolve())) as ClientWritableStream<object>;
      upload.write({ id, path: dir, copyUidGid: flags.archive });
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          if (upload.write({ data: chunk })) done();
          else upload.once('drain', () => done());
        },
        final(done) { upload.end(); done(); },
      });
      const source = srcPath === '-'
        ? new Promise<void>((res, rej) => { process.stdin.pipe(sink); sink.on('finish', res); process.stdin.on('error', rej); })
        : packHostPath(srcPath, name, sink, { follow: flags['follow-link'], keepOwners: flags.archive });
      source.catch((err) => { upload.cancel(); reject(err); });
    });
  }
}
