/**
 * The switches of user-defined networks: one kctl-netswitch process per network (native/kctl-netswitch.c),
 * started when the first container on the network starts, stopped when the network is removed. It
 * runs detached from kctld (its own session), so containers keep talking while kctld restarts; its
 * PID and start time are kept in networks/<id12>/switch.json so a new kctld finds it again.
 *
 * A container's NIC on the network is QEMU's `-netdev stream,server=on` on a socket in its VM's
 * directory; `attach` connects to that socket and hands the connection to the switch. QEMU listens
 * again when a connection ends, so a switch that died is replaced and every running container's
 * ports re-attached (ensure() reports a fresh switch for that).
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import type { Logger } from '../util/log.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { isSameLiveProcess, isUnixSocketListening, killGroupIfSame, readTail, sleep, spawnDetached } from '../vm/proc.js';
import type { NetworkRecord, NetworkStore } from './store.js';

/** The unprivileged user the switch runs as after setup: Debian's nobody. */
const SWITCH_UID = 65534;
const CHILD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

interface SwitchInfo {
  pid: number;
  startTime: string;
}

export interface SwitchPort {
  /** Unique on the network: `<vmId>.<nic>`. */
  name: string;
  mac: string;
  /** QEMU's listening socket for the NIC. */
  socket: string;
  /** QEMU's unprivileged uid: the socket is reached as that user only. */
  uid?: number;
}

export function netswitchBinary(): string {
  // dist/src/core/network/switch.js -> <package>/native/out/kctl-netswitch
  return process.env.KCTL_NETSWITCH || fileURLToPath(new URL('../../../../native/out/kctl-netswitch', import.meta.url));
}

export class SwitchManager {
  private readonly starting = new Map<string, Promise<boolean>>();

  constructor(private readonly store: NetworkStore, private readonly log: Logger, private readonly binary = netswitchBinary()) {}

  controlSocket(net: NetworkRecord): string {
    return path.join(this.store.networkDir(net.Id), 'ctl.sock');
  }

  private infoFile(net: NetworkRecord): string {
    return path.join(this.store.networkDir(net.Id), 'switch.json');
  }

  /** The running switch of the network, if its recorded process is still alive and listening. */
  async running(net: NetworkRecord): Promise<SwitchInfo | undefined> {
    const info = await readJson<SwitchInfo>(this.infoFile(net)).catch(() => undefined);
    if (!info || !isSameLiveProcess(info.pid, info.startTime)) return undefined;
    return isUnixSocketListening(this.controlSocket(net)) ? info : undefined;
  }

  /** Starts the network's switch unless it runs. Resolves true when a new switch was started (ports must be attached again). */
  ensure(net: NetworkRecord): Promise<boolean> {
    let p = this.starting.get(net.Id);
    if (!p) {
      p = this.doEnsure(net).finally(() => this.starting.delete(net.Id));
      this.starting.set(net.Id, p);
    }
    return p;
  }

  private async doEnsure(net: NetworkRecord): Promise<boolean> {
    if (await this.running(net)) return false;
    const dir = this.store.networkDir(net.Id);
    const ctl = this.controlSocket(net);
    if (Buffer.byteLength(ctl) > 107) throw unavailable(`socket path ${ctl} is longer than 107 bytes`, { hint: 'use a shorter KCTL_ROOT' });
    await this.kill(net); // a recorded process that is not serving any more
    const logFile = path.join(dir, 'switch.log');
    const uid = process.getuid?.() === 0 ? SWITCH_UID : process.getuid?.() ?? SWITCH_UID;
    const child = await spawnDetached(this.binary, ['serve', dir, String(uid)], {
      logFile, what: `the switch of network ${net.Name}`, env: CHILD_ENV, hint: 'run `npm run build` to build the native helpers',
    });
    const info = { pid: child.pid, startTime: child.startTime };
    await writeJsonAtomic(this.infoFile(net), info);
    const deadline = Date.now() + 5000;
    while (!isUnixSocketListening(ctl)) {
      if (!isSameLiveProcess(info.pid, info.startTime) || Date.now() > deadline) {
        throw unavailable(`the switch of network ${net.Name} did not start`, { detail: readTail(logFile) });
      }
      await sleep(10);
    }
    this.log.info('network switch started', { network: net.Name, pid: info.pid });
    return true;
  }

  async attach(net: NetworkRecord, port: SwitchPort): Promise<void> {
    const asUser = port.uid !== undefined && process.getuid?.() === 0 ? [String(port.uid)] : [];
    await this.run(['attach', this.controlSocket(net), port.name, port.mac, port.socket, ...asUser], `connect NIC ${port.name} to network ${net.Name}`);
  }

  async detach(net: NetworkRecord, name: string): Promise<void> {
    await this.run(['detach', this.controlSocket(net), name], `disconnect ${name} from network ${net.Name}`).catch(() => undefined);
  }

  /** The attached ports: name, MAC, frames received and sent, frames dropped. */
  async list(net: NetworkRecord): Promise<{ name: string; mac: string; rx: number; tx: number; drops: number }[]> {
    if (!(await this.running(net))) return [];
    const out = await this.run(['list', this.controlSocket(net)], `list the ports of network ${net.Name}`);
    return out.split('\n').slice(1).filter(Boolean).map((l) => {
      const [name, mac, rx, tx, drops] = l.split(' ');
      return { name: name!, mac: mac!, rx: Number(rx), tx: Number(tx), drops: Number(drops) };
    });
  }

  /** Stops the network's switch (network rm): every port on it goes down. */
  async stop(net: NetworkRecord): Promise<void> {
    await this.kill(net);
    await fsp.rm(this.infoFile(net), { force: true });
  }

  private async kill(net: NetworkRecord): Promise<void> {
    const info = await readJson<SwitchInfo>(this.infoFile(net)).catch(() => undefined);
    if (!info || !killGroupIfSame(info.pid, info.startTime, 'SIGKILL')) return;
    for (let i = 0; i < 100 && isSameLiveProcess(info.pid, info.startTime); i++) await sleep(10);
  }

  private run(args: string[], what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, args, { timeout: 10_000, killSignal: 'SIGKILL', env: CHILD_ENV }, (err, stdout, stderr) => {
        if (err) reject(unavailable(`cannot ${what}: ${String(stderr).trim().replace(/^kctl-netswitch: /, '') || err.message}`));
        else resolve(String(stdout));
      });
    });
  }
}
